"""Scoring a source entity against candidate people found by blocking."""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler

from kithkin.identity.normalize import parse_name, same_first_name


def name_agreement(a: str | None, b: str | None) -> str:
    """How two display names relate: "same", "compatible", "conflict" or "unknown"."""
    left, right = parse_name(a), parse_name(b)
    if left is None or right is None:
        return "unknown"
    if left.is_full and right.is_full:
        same_last = left.last == right.last or JaroWinkler.similarity(left.last, right.last) >= 0.94
        same_first = same_first_name(left.first, right.first) or JaroWinkler.similarity(left.first, right.first) >= 0.92
        if same_last and same_first:
            return "same"
        return "conflict"
    # A lone first name ("Bob") agrees with any full name of that first name.
    first_left, first_right = left.first, right.first
    if same_first_name(first_left, first_right):
        return "compatible"
    if not left.is_full and not right.is_full:
        return "conflict"
    return "unknown" if (left.is_full != right.is_full) else "conflict"
