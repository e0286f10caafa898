"""Normalisation of identity signals: phones, emails, names — the traps included."""

from __future__ import annotations

import pytest

from kithkin.identity.match import name_agreement
from kithkin.identity.normalize import (
    is_personal_email,
    name_from_email,
    name_key,
    name_keys,
    normalize_email,
    normalize_phone,
    parse_name,
    same_first_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(415) 555-0132", "+14155550132"),
        ("+1 415 555 0132", "+14155550132"),
        ("415.555.0132", "+14155550132"),
        ("tel:+1-415-555-0132", "+14155550132"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (0) 20 7946 0958", "+442079460958"),
        ("011 44 20 7946 0958", "+442079460958"),  # dialled from the US
        ("1-800-FLOWERS", "+18003569377"),
        ("+1 (415) 555-0132 ext. 12", "+14155550132"),
        ("5552671", None),  # possible but not valid: kept as observed, never matched
        ("611", None),  # a short code
        ("not a number", None),
        ("ana@x.org", None),
        ("", None),
    ],
)
def test_phones_to_e164(raw, expected):
    assert normalize_phone(raw, "US") == expected


def test_a_national_number_reads_in_the_configured_region():
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("020 7946 0958", "US") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ana.Silva@Gmail.com", "anasilva@gmail.com"),
        ("ana.silva+newsletters@googlemail.com", "anasilva@gmail.com"),
        ("<Ana@Example.ORG>", "ana@example.org"),
        ("bob+tag@icloud.com", "bob@icloud.com"),
        ("bob@me.com", "bob@icloud.com"),
        ("first.last+x@yahoo.com", "first.last+x@yahoo.com"),  # Yahoo keeps both
        ("mailto:Someone@Work.example", "someone@work.example"),
        ("not an address", None),
        ("two@@at.example", None),
    ],
)
def test_emails_fold_case_dots_and_tags_by_provider(raw, expected):
    assert normalize_email(raw) == expected


def test_personal_mailboxes():
    assert is_personal_email("anasilva@gmail.com")
    assert not is_personal_email("ana@northwind.example")


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("Smith, Robert", "robert", "smith"),
        ("SMITH, ROBERT J.", "robert", "smith"),
        ("Dr. Ana López Jr.", "ana", "lopez"),
        ("bob smith (work)", "bob", "smith"),
        ("Ludwig van Beethoven", "ludwig", "van beethoven"),
        ("Robert Smith, PhD", "robert", "smith"),
        ("Zoë Ångström", "zoe", "angstrom"),
        ("Madonna", "madonna", ""),
    ],
)
def test_names_parse_in_every_order(raw, first, last):
    parsed = parse_name(raw)
    assert parsed is not None
    assert (parsed.first, parsed.last) == (first, last)


def test_names_that_are_not_names():
    assert parse_name("ana@x.org") is None
    assert parse_name("+1 415 555 0100") is None
    assert parse_name("") is None


def test_nicknames_are_one_first_name_both_ways():
    assert same_first_name("bob", "robert")
    assert same_first_name("robert", "bob")
    assert same_first_name("liz", "elizabeth")
    assert not same_first_name("robert", "ana")
    assert {"smith b", "smith r"} <= name_keys("Bob Smith")
    assert name_key("Smith, Robert") == "smith r"


@pytest.mark.parametrize(
    ("a", "b", "verdict"),
    [
        ("Robert Smith", "Bob Smith", "same"),
        ("Smith, Robert", "ROBERT SMITH", "same"),
        ("Robert Smith", "Robert Smiht", "same"),  # a typo
        ("Robert Smith", "Robert Jones", "conflict"),
        ("Ana Silva", "Ben Okafor", "conflict"),
        ("Bob", "Robert Smith", "compatible"),
        (None, "Robert Smith", "unknown"),
    ],
)
def test_name_agreement(a, b, verdict):
    assert name_agreement(a, b) == verdict


def test_a_name_from_an_address():
    assert name_from_email("robert.smith@x.org") == "Robert Smith"
    assert name_from_email("rsmith@x.org") is None
    assert name_from_email("info@x.org") is None


def test_a_name_is_read_from_an_address_with_the_digits_people_add():
    assert name_from_email("ann.lee84@gmail.com") == "Ann Lee"
    assert name_from_email("ann_lee@northwind.example") == "Ann Lee"
    assert name_from_email("alee84@gmail.com") is None
