"""A small safe condition language for branch and switch nodes: JSON rules and groups, or text."""

from workers.conditions.canonical import parse_condition, to_canonical
from workers.conditions.evaluate import evaluate
from workers.conditions.model import ConditionError, ConditionFailure, Group, Rule
from workers.conditions.schema import Condition

__all__ = [
    "Condition",
    "ConditionError",
    "ConditionFailure",
    "Group",
    "Rule",
    "evaluate",
    "parse_condition",
    "to_canonical",
]
