"""Credentials and pronouns written into display names are facts of the person, not part of the name."""

from __future__ import annotations

import pytest

from kithkin.identity.normalize import NameAffixes, name_key, split_name_affixes


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Chanh Tran, MBA", NameAffixes("Chanh Tran", ("MBA",))),
        ("Louis Ferri, MSIS, MSN, CPHIMS, RN", NameAffixes("Louis Ferri", ("MSIS", "MSN", "CPHIMS", "RN"))),
        ("Alex Kim (they/them)", NameAffixes("Alex Kim", (), "they/them")),
        ("Sam Doe (She/Her), PMP", NameAffixes("Sam Doe", ("PMP",), "she/her")),
        ("Jo Park | she/her", NameAffixes("Jo Park", (), "she/her")),
        ("Dana Lee, Ph.D.", NameAffixes("Dana Lee", ("Ph.D.",))),
        ("Bo Li, SHRM-CP", NameAffixes("Bo Li", ("SHRM-CP",))),
        # Not credentials: a name turned round, a generation, a title that is part of the name.
        ("Smith, Robert", NameAffixes("Smith, Robert")),
        ("Lee, MD", NameAffixes("Lee, MD")),
        ("John Smith, III", NameAffixes("John Smith, III")),
        ("Robert Smith Jr.", NameAffixes("Robert Smith Jr.")),
        ("(they/them)", NameAffixes("(they/them)")),
    ],
)
def test_credentials_and_pronouns_are_taken_off_names(written: str, expected: NameAffixes) -> None:
    assert split_name_affixes(written) == expected


def test_the_cleaned_name_blocks_with_the_plain_one() -> None:
    cleaned = split_name_affixes("Louis Ferri, MSIS, MSN, CPHIMS, RN").name
    assert name_key(cleaned) == name_key("Louis Ferri") == "ferri l"
