"""The misalignment rules, one function each (names are a contract), by family.

Importing this module registers every rule in `alignment.rules.base.RULES`.
"""

from alignment.rules import (  # noqa: F401  (each module registers its rules)
    feedback_rules,
    initiative_rules,
    journey_rules,
    strategy_rules,
)

CONTRACT = frozenset(
    {
        "orphan_goal",
        "unit_without_cx_goal",
        "owner_without_cx_goal",
        "executive_without_cx_contribution",
        "goal_without_target",
        "stale_checkin",
        "goal_confidence_contradicted",
        "initiative_hurts_cx_kpi",
        "initiative_hurts_other_unit",
        "initiative_touchpoint_worsened",
        "touchpoint_unaddressed",
        "segment_nps_fell",
        "rising_theme_unanswered",
        "audience_without_journey",
        "data_asked_twice",
        "decision_disapproved_unmitigated",
        "model_review_overdue",
        "model_without_owner",
        "cycle_inputs_late",
        "unlinked_feedback",
        "followup_backlog",
    }
)
