"""The roll-up is a pure function: tested without a database."""

import time
from decimal import Decimal

import pytest

from strategy.rollup import kpi_progress, rollup


def row(gid, parent=None, weight=1, progress=None, status="active"):
    return {"id": gid, "parent_id": parent, "weight": Decimal(weight), "progress": progress,
            "status": status}  # fmt: skip


def test_parent_without_measure_is_the_weighted_mean_of_its_children():
    result = rollup([row(1), row(2, 1, weight=3, progress=0.5), row(3, 1, weight=1, progress=1.0)])
    assert result[1].own is None
    assert result[1].rollup == 0.625
    assert result[1].effective == 0.625
    assert result[1].children == 2


def test_a_goal_with_its_own_measure_keeps_it_and_still_shows_the_rollup():
    result = rollup([row(1, progress=0.2), row(2, 1, progress=0.8)])
    assert result[1].effective == 0.2
    assert result[1].rollup == 0.8


def test_rollup_goes_up_every_level():
    result = rollup([row(1), row(2, 1), row(3, 2, progress=0.4), row(4, 1, progress=0.0)])
    assert result[2].effective == 0.4
    assert result[1].effective == 0.2


def test_children_without_progress_count_as_zero_once_a_sibling_has_some():
    result = rollup([row(1), row(2, 1, progress=1.0), row(3, 1)])
    assert result[1].rollup == 0.5


def test_no_progress_anywhere_below_means_no_rollup():
    result = rollup([row(1), row(2, 1), row(3, 1)])
    assert result[1].rollup is None
    assert result[1].effective is None


def test_dropped_goals_do_not_count_and_achieved_goals_count_as_done():
    result = rollup(
        [row(1), row(2, 1, status="dropped", progress=0.0), row(3, 1, status="achieved")]
    )
    assert result[1].rollup == 1.0
    assert 2 not in result


def test_a_deep_cascade_does_not_hit_the_recursion_limit():
    rows = [row(1)] + [row(i, i - 1) for i in range(2, 10_001)]
    rows[-1]["progress"] = 0.5
    assert rollup(rows)[1].effective == 0.5


def test_rollup_of_5000_goals_is_well_under_a_second():
    rows = [row(i) for i in range(1, 6)]
    gid = 6
    for top in range(1, 6):
        for _ in range(20):
            mid = gid
            rows.append(row(mid, top, weight=2))
            gid += 1
            for _ in range(49):
                rows.append(row(gid, mid, progress=0.5))
                gid += 1
    assert len(rows) >= 5000
    started = time.perf_counter()
    result = rollup(rows)
    assert time.perf_counter() - started < 0.5
    assert abs(result[1].effective - 0.5) < 1e-9


def test_kpi_progress_works_in_both_directions_and_is_clamped():
    assert kpi_progress(baseline=10, target=20, value=15) == 0.5
    assert kpi_progress(baseline=30, target=10, value=25) == 0.25  # lower is better
    assert kpi_progress(baseline=10, target=20, value=40) == 1.0
    assert kpi_progress(baseline=10, target=20, value=0) == 0.0
    assert kpi_progress(baseline=10, target=10, value=5) is None


# ---------------------------------------------------------------- measure "none"


def test_goal_not_measurable_yet_is_left_out_of_its_parents_mean():
    import numpy as np

    rows = [
        {"id": 1, "parent_id": None, "weight": 1, "progress": None, "status": "active",
         "measure": "rollup"},
        {"id": 2, "parent_id": 1, "weight": 2, "progress": Decimal("0.5"), "status": "active",
         "measure": "milestone"},
        {"id": 3, "parent_id": 1, "weight": 3, "progress": None, "status": "active",
         "measure": "milestone"},
        # stale progress on a goal that is not measurable yet is ignored
        {"id": 4, "parent_id": 1, "weight": 5, "progress": Decimal("0.9"), "status": "active",
         "measure": "none"},
    ]  # fmt: skip
    result = rollup(rows)
    expected = np.average([0.5, 0.0], weights=[2, 3])  # goal 4 does not count, goal 3 counts 0
    assert result[1].rollup == pytest.approx(expected, abs=1e-9)
    assert result[4].own is None and result[4].effective is None


def test_goal_not_measurable_yet_with_measured_children_passes_their_rollup_up():
    import numpy as np

    rows = [
        {"id": 1, "parent_id": None, "weight": 1, "progress": None, "status": "active",
         "measure": "rollup"},
        {"id": 2, "parent_id": 1, "weight": 1, "progress": Decimal("0.2"), "status": "active",
         "measure": "milestone"},
        {"id": 3, "parent_id": 1, "weight": 1, "progress": None, "status": "active",
         "measure": "none"},
        {"id": 4, "parent_id": 3, "weight": 1, "progress": Decimal("0.8"), "status": "active",
         "measure": "kpi"},
    ]  # fmt: skip
    result = rollup(rows)
    assert result[3].effective == pytest.approx(0.8, abs=1e-9)
    assert result[1].rollup == pytest.approx(np.mean([0.2, 0.8]), abs=1e-9)
