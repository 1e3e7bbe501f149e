"""The cascade tree rendered in Python: a page may show hundreds of goals, and one include
per node made Django's template engine the slowest part of the page (1.4 s for 600 nodes)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cxalign.orgs.templatetags.cx import percent

register = template.Library()

CONFIDENCE = {
    "on_track": ("ok", "On track"),
    "at_risk": ("warn", "At risk"),
    "off_track": ("bad", "Off track"),
    "": ("", "No check-in"),
}
STATUS_CLASS = {"achieved": "ok", "missed": "bad"}


def progress_tone(goal) -> str:
    """The colour of a goal's bar: its status once finished, else its last check-in's
    confidence, as its badge says (a red 30 % bar beside "On track" confused people);
    "" (neutral) before the first check-in, "off" for a dropped goal."""
    if goal.status == "dropped":
        return "off"
    if goal.status in STATUS_CLASS:
        return STATUS_CLASS[goal.status]
    return CONFIDENCE.get(goal.confidence, ("", ""))[0]


def progress_html(p, goal) -> SafeString:
    """The progress pair (effective bar, own and roll-up) of one goal; as _progress.html."""
    goal_id = goal.id
    eff = p.effective if p else None
    width = percent(eff) if eff is not None else "0%"
    tone = progress_tone(goal)
    sub = ""
    if p and p.children:
        own = f"own {percent(p.own)} · " if p.own is not None else ""
        n = p.children
        below = f"{n} contributing goal{'' if n == 1 else 's'}"
        rolled = (
            f"roll-up {percent(p.rollup)} of {n}"
            if p.rollup is not None
            else (f"no progress yet in its {below}")
        )
        sub = format_html(
            '<span class="sub" data-testid="rollup-{}">{}{}</span>', goal_id, own, rolled
        )
    return format_html(
        '<div class="pg" data-testid="progress-{}" data-effective="{}"><div class="progress {}" '
        'data-tone="{}"><span style="width:{}"></span></div><span class="num">{}</span>{}</div>',
        goal_id, percent(eff) if eff is not None else "", tone, tone or "neutral", width,
        percent(eff), sub,
    )  # fmt: skip


def row_html(node, org_slug: str) -> SafeString:
    goal = node.goal
    if goal.status != "active":
        badge = format_html(
            '<span class="badge {}">{}</span>',
            STATUS_CLASS.get(goal.status, ""),
            goal.get_status_display(),
        )
    else:
        cls, label = CONFIDENCE.get(goal.confidence, ("", "No check-in"))
        badge = format_html('<span class="badge {}">{}</span>', cls, label)
    who = goal.owner.display_name if goal.owner else "No owner"
    if goal.org_unit:
        who = f"{who} · {goal.org_unit.name}"
    weight = ""
    if goal.weight != 1:
        weight = format_html(
            '<span class="weight" title="Weight in the parent\'s roll-up">×{}</span>',
            f"{goal.weight.normalize():f}",
        )
    return format_html(
        '<div class="tree-node{}" data-goal="{}" data-testid="goal-{}"><span class="key">{}</span>'
        '<a class="title" href="{}">{}</a><span class="meta"><span class="badge leg-{}">{}</span>'
        "{}<span>{}</span>{}</span>{}</div>",
        "" if node.matched else " dim", goal.id, goal.key, goal.key,
        reverse("strategy:goal_detail", args=[org_slug, goal.id]), goal.title, goal.leg,
        goal.get_leg_display(), badge, who, weight, progress_html(node.progress, goal),
    )  # fmt: skip


def node_html(node, org_slug: str) -> SafeString:
    row = row_html(node, org_slug)
    if not node.children and not node.lazy:
        return format_html('<li><div class="leaf-wrap">{}</div></li>', row)
    lazy = ""
    loading = ""
    if node.lazy:
        url = reverse("strategy:cascade_children", args=[org_slug, node.goal.id])
        lazy = format_html(
            ' hx-get="{}" hx-trigger="toggle once" hx-target="find ul.kids" hx-swap="innerHTML"',
            url,
        )
        n = node.progress.children
        loading = format_html(
            '<li class="loading">Loading {} contributing goal{}…</li>', n, "" if n == 1 else "s"
        )
    kids = mark_safe("".join(node_html(child, org_slug) for child in node.children))  # noqa: S308
    return format_html(
        "<li><details{}{}><summary>{}</summary><ul class=\"kids\">{}{}</ul></details></li>",
        " open" if node.children else "", lazy, row, kids, loading,
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def cascade_nodes(context, nodes) -> SafeString:
    """`<li>` items of the given cascade nodes and everything loaded below them."""
    slug = context["organization"].slug
    return format_html_join("", "{}", ((node_html(n, slug),) for n in nodes))


@register.simple_tag
def goal_progress(p, goal) -> SafeString:
    return progress_html(p, goal)
