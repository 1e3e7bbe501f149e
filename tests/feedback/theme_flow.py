"""One theme scenario run on both databases (the SQL of theme lists differs between them)."""

from pathlib import Path

GOOD = (
    "id,responded_at,nps,comment\nT1,2024-03-01,3,late again\nT2,2024-03-02,10,late but kind\n"
    "T3,2024-04-03,9,fine\n"
)
CHANGED = "id,responded_at,nps,comment\nT2,2024-03-02,9,late but kind staff\n"


def run_flow(org, folder) -> dict:
    """Import, tag by hand, re-import the changed row, re-tag, read, delete a theme."""
    from feedback import selectors, services
    from feedback.models import Response

    path, changed = Path(folder) / "f.csv", Path(folder) / "g.csv"
    path.write_text(GOOD)
    changed.write_text(CHANGED)
    late = services.theme_create(organization=org, data={"name": "Late"}, patterns=["late"])
    kind = services.theme_create(organization=org, data={"name": "Kind"}, patterns=["kind"])
    services.import_file(organization=org, path=str(path), source_name="T")
    services.response_tag(response=Response.objects.get(response_id="T2"), theme=kind)
    services.import_file(organization=org, path=str(changed), source_name="T")
    services.themes_retag(organization=org)
    rows = selectors.response_list(
        organization=org, filters=selectors.ResponseFilters(theme=late.id)
    )
    named = {r.response_id: r.theme_names for r in selectors.response_list(organization=org)}
    trend = selectors.theme_trend_rows(organization=org, theme_ids=[late.id])
    stats = selectors.theme_stats(organization=org)
    untagged = selectors.untagged_list(organization=org).values_list("response_id", flat=True)
    services.theme_delete(theme=kind)
    after = Response.objects.filter(source__name="T").values_list("theme_ids", flat=True)
    return {
        "late": sorted(r.response_id for r in rows),
        "named": {k: [[n, bool(m)] for n, m in v] for k, v in named.items() if k[:1] == "T"},
        "trend": [[str(row["month"])[:7], row["volume"]] for row in trend],
        "late_stats": [stats[late.id]["volume"], stats[late.id]["nps"]],
        "untagged": list(untagged),
        "after_delete": sorted(after),
        "late_id": late.id,
    }


def check_flow(result: dict) -> None:
    assert result["late"] == ["T1", "T2"]
    # T2's manual tag survived the re-import that updated its row, and the re-tag.
    assert result["named"]["T2"] == [["Kind", True], ["Late", False]]
    assert result["named"]["T1"] == [["Late", False]]
    assert result["trend"] == [["2024-03", 2]], result["trend"]
    assert result["late_stats"] == [2, 0]  # a promoter (9) and a detractor (3)
    assert result["untagged"] == ["T3"]
    late = result["late_id"]
    assert result["after_delete"] == [[], [late], [late]]
