"""Deterministic ids: the same observation always gets the same id, so re-imports are no-ops."""

from __future__ import annotations

import hashlib
import uuid


def entity_id(source_type: str, source_id: str) -> str:
    return "se_" + hashlib.blake2b(f"{source_type}\x00{source_id}".encode(), digest_size=10).hexdigest()


def interaction_id(source_type: str, source_id: str) -> int:
    digest = hashlib.blake2b(f"{source_type}\x00{source_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: fits SQLite's signed INTEGER


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def chunks(items: list, size: int = 900):
    """SQLite caps bound parameters; feed IN (...) lists in slices."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
