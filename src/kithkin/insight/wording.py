"""The words a person reads for the machine's labels: vault folders, group names, relationship types."""

from __future__ import annotations

import re

# Legal forms after a company's name: "Bluefin Studio, Inc." and "Bluefin Studio" are one company.
_LEGAL_FORM = re.compile(
    r"[,\s]+(inc|incorporated|llc|l\.l\.c|ltd|limited|gmbh|ag|sa|sas|bv|plc|corp|corporation|co|company)\.?$",
    re.IGNORECASE,
)


def plain_context(raw: str) -> str:
    """A vault folder or a context path in plain words: "Personal/Climbing Club/" → "Climbing Club",
    "Work/Bluefin Studio" → "Bluefin Studio"; anything without a slash is kept as it is (trimmed)."""
    parts = [part.strip() for part in raw.replace("\\", "/").split("/") if part.strip()]
    return parts[-1] if parts else raw.strip()


def share_of(count: int, total: int) -> str:
    """ "all 4", "3 of 5" """
    return f"all {total}" if count == total else f"{count} of {total}"


def company_name(raw: str) -> str:
    """A company's name without its legal form or stray punctuation: "Bluefin Studio, Inc." → "Bluefin Studio"."""
    name = " ".join(raw.split()).strip(" ,.")
    while True:
        shorter = _LEGAL_FORM.sub("", name).strip(" ,.")
        if shorter == name or not shorter:
            return name
        name = shorter
