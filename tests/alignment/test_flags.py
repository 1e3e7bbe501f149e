"""The flag state machine: raised, updated, acknowledged, reopened, resolved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alignment.flags import flag_acknowledge, flag_reopen, flags_sync
from alignment.models import Flag
from cxalign.orgs.concurrency import VersionConflict
from tests.alignment.figures import finding
from tests.factories import RunFactory


@pytest.fixture
def runs(cycle):
    return [RunFactory(cycle=cycle) for _ in range(3)]


def sync(org, cycle, run, findings):
    return flags_sync(organization=org, cycle=cycle, run=run, findings=findings)


def test_new_finding_creates_open_flag(org, cycle, runs, manager):
    f = finding("a", 2.5, owner_id=manager.id, owner_label="M", unit_id=None)
    assert sync(org, cycle, runs[0], [f]) == {"open": 1, "new": 1, "resolved": 0}
    flag = Flag.objects.get()
    assert (flag.key, flag.state, flag.rule, flag.magnitude) == (f.key, "open", "orphan_goal", 2.5)
    assert flag.first_run == runs[0] and flag.last_run == runs[0]
    assert flag.subjects == [{"type": "goal", "id": "a", "label": "Goal a", "url": ""}]
    assert flag.owner == manager and flag.evidence == {"n": 2.5}
    (created,) = flag.history.all()  # written by the database, a copy of the row
    assert (created.history_type, created.history_change_reason) == ("+", "Raised by a recompute.")
    assert (created.key, created.state, created.magnitude, created.evidence) == (
        flag.key, "open", 2.5, {"n": 2.5})  # fmt: skip
    assert (created.owner_id, created.first_run_id, created.cycle_id) == (
        manager.id, runs[0].id, cycle.id)  # fmt: skip
    assert created.history_user_id is None and created.history_date <= flag.created_at


def test_open_flag_takes_the_new_content(org, cycle, runs):
    sync(org, cycle, runs[0], [finding("a", 1.0)])
    result = sync(org, cycle, runs[1], [finding("a", 3.0, severity="high", title="Worse")])
    assert result == {"open": 1, "new": 0, "resolved": 0}
    flag = Flag.objects.get()
    assert (flag.title, flag.severity, flag.magnitude, flag.evidence) == (
        "Worse", "high", 3.0, {"n": 3.0}
    )  # fmt: skip
    assert flag.first_run == runs[0] and flag.last_run == runs[1]


def test_flag_not_raised_again_is_resolved_and_raised_again_reopens(org, cycle, runs):
    sync(org, cycle, runs[0], [finding("a"), finding("b")])
    assert sync(org, cycle, runs[1], [finding("b")]) == {"open": 1, "new": 0, "resolved": 1}
    a = Flag.objects.get(key=finding("a").key)
    assert a.state == "resolved" and a.resolved_at is not None and a.last_run == runs[0]
    assert sync(org, cycle, runs[2], [finding("a"), finding("b")])["new"] == 0
    a.refresh_from_db()
    assert a.state == "open" and a.resolved_at is None and a.last_run == runs[2]
    assert a.evidence["reopened"]["from"] == "resolved"


def test_acknowledged_flag_stays_while_not_worse_and_reopens_when_worse(org, cycle, runs, cx_lead):
    sync(org, cycle, runs[0], [finding("a", 4.0)])
    flag = flag_acknowledge(flag=Flag.objects.get(), member=cx_lead, reason="Planned for Q3.")
    assert (flag.state, flag.acknowledged_by, flag.acknowledged_magnitude) == (
        "acknowledged", cx_lead, 4.0
    )  # fmt: skip
    assert flag.acknowledged_reason == "Planned for Q3." and flag.acknowledged_at is not None
    assert sync(org, cycle, runs[1], [finding("a", 3.5)])["open"] == 0
    flag.refresh_from_db()
    assert flag.state == "acknowledged" and flag.magnitude == 3.5
    sync(org, cycle, runs[2], [finding("a", 4.5)])
    flag.refresh_from_db()
    assert flag.state == "open" and flag.acknowledged_by is None
    note = flag.evidence["reopened"]
    assert note["from"] == "acknowledged" and note["acknowledged_magnitude"] == 4.0
    assert note["acknowledged_reason"] == "Planned for Q3."
    assert flag.history.filter(state="acknowledged").exists()


def test_acknowledged_flag_no_longer_raised_is_resolved(org, cycle, runs, cx_lead):
    sync(org, cycle, runs[0], [finding("a")])
    flag_acknowledge(flag=Flag.objects.get(), member=cx_lead, reason="Known.")
    assert sync(org, cycle, runs[1], [])["resolved"] == 1
    assert Flag.objects.get().state == "resolved"


def test_sync_touches_only_its_own_cycle(org, cycle, runs):
    from tests.factories import CycleFactory

    other = CycleFactory(organization=org, name="Other")
    sync(org, other, RunFactory(cycle=other), [finding("a")])
    sync(org, cycle, runs[0], [])
    assert Flag.objects.get().state == "open"


def test_acknowledge_needs_a_reason(org, cycle, runs, cx_lead):
    sync(org, cycle, runs[0], [finding("a")])
    with pytest.raises(ValidationError) as err:
        flag_acknowledge(flag=Flag.objects.get(), member=cx_lead, reason="   ")
    assert "reason" in err.value.message_dict
    assert Flag.objects.get().state == "open"


def test_acknowledge_allowed_for_owner_denied_for_other_manager(org, cycle, runs, manager):
    from tests.factories import MembershipFactory

    sync(org, cycle, runs[0], [finding("a", owner_id=manager.id)])
    flag = Flag.objects.get()
    peer = MembershipFactory(organization=org, role="manager")
    with pytest.raises(PermissionDenied):
        flag_acknowledge(flag=flag, member=peer, reason="Not mine.")
    assert flag_acknowledge(flag=flag, member=manager, reason="On it.").state == "acknowledged"


def test_acknowledge_denied_to_outsider_and_stale_version(org, cycle, runs, outsider, executive):
    sync(org, cycle, runs[0], [finding("a")])
    flag = Flag.objects.get()
    with pytest.raises(PermissionDenied):
        flag_acknowledge(flag=flag, member=outsider, reason="Hmm.")
    with pytest.raises(VersionConflict):
        flag_acknowledge(flag=flag, member=executive, reason="Ok.", version=flag.version + 5)
    assert Flag.objects.get().state == "open"


def test_reopen_by_a_person(org, cycle, runs, executive, viewer):
    sync(org, cycle, runs[0], [finding("a")])
    flag = flag_acknowledge(flag=Flag.objects.get(), member=executive, reason="Accepted.")
    with pytest.raises(PermissionDenied):
        flag_reopen(flag=flag, member=viewer)
    flag = flag_reopen(flag=flag, member=executive)
    flag.refresh_from_db()
    assert flag.state == "open" and flag.acknowledged_reason == ""
    assert flag.evidence["reopened"]["by_id"] == executive.id
    with pytest.raises(ValidationError):
        flag_reopen(flag=flag, member=executive)


def test_flags_sync_queries_do_not_grow(org, cycle, runs, cx_lead, django_assert_max_num_queries):
    def world(n, prefix):
        return [finding(f"{prefix}{i}", 1.0) for i in range(n)]

    for size in (3, 60):
        sync(org, cycle, runs[0], world(size, "old") + world(size, "keep") + world(size, "ack"))
        for flag in Flag.objects.filter(key__in=[f.key for f in world(size, "ack")]):
            flag_acknowledge(flag=flag, member=cx_lead, reason="Known.")
        Flag.objects.filter(key__in=[f.key for f in world(size, "keep")][:1]).update(
            state="resolved"
        )
        findings = world(size, "keep") + [finding(f"ack{i}", 2.0) for i in range(size)]
        with django_assert_max_num_queries(12):
            result = sync(org, cycle, runs[1], findings + world(size, "new"))
        assert result == {"open": 3 * size, "new": size, "resolved": size}
        Flag.objects.all().delete()
