"""Misalignment rules: each is one small function registered under its contract name."""

from alignment.rules.base import RULES, Finding, RuleContext, Subject, evaluate, rule

__all__ = ["RULES", "Finding", "RuleContext", "Subject", "evaluate", "rule"]
