"""What a written name is (issue 21): labels, households, display forms, and phones in real address books."""

from __future__ import annotations

import pytest

from kithkin.identity.labels import household_members, is_label
from kithkin.identity.match import addresses_agree, birthdays_agree, name_likeness
from kithkin.identity.names import best_display_name, display_name, person_name
from kithkin.identity.normalize import national_number, normalize_phone, parse_name


@pytest.mark.parametrize("raw", ["Mom", "Dad (work)", "Home", "Work", "Mom & Dad", "WIRELESS CALLER", "OAKLAND CA"])
def test_labels_name_no_one(raw):
    assert is_label(raw)
    assert parse_name(raw) is None


@pytest.mark.parametrize("raw", ["Tom Home", "Ann Lee", "Mohammed", "ANN LEE"])
def test_names_are_not_labels(raw):
    assert not is_label(raw)


@pytest.mark.parametrize(
    ("raw", "members"),
    [
        ("Ann & Tom Lee", ("Ann Lee", "Tom Lee")),
        ("Ann and Tom", ("Ann", "Tom")),
        ("Ann Lee + Tom Baker", ("Ann Lee", "Tom Baker")),
        ("The Lees", ()),
        ("Lee Family", ()),
        ("Mr & Mrs Lee", ()),
        ("Ann Lee", None),
    ],
)
def test_households_and_the_people_they_name(raw, members):
    assert household_members(raw) == members
    if members is not None:
        assert parse_name(raw) is None


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Lee, Ann", "Ann Lee"),
        ("Ana López, PhD (she/her)", "Ana López"),
        ("Sam Ortiz, MBA", "Sam Ortiz"),
        ("Mom", None),
        ("ann@x.example", None),
    ],
)
def test_display_names(raw, shown):
    assert display_name(raw) == shown


def test_the_best_full_name_is_shown_never_a_fragment():
    seen = [("mail", "Oliver Atkinson"), ("mail", "Oliver Atkinson"), ("mail", "Oliver"), ("slack", "Oliver")]
    assert best_display_name(seen, ("contacts", "slack", "mail")) == "Oliver Atkinson"
    # The user's own card comes first, then the most frequent full name.
    seen += [("contacts", "Olly Atkinson")]
    assert best_display_name(seen, ("contacts", "slack", "mail")) == "Olly Atkinson"


def test_a_label_names_a_person_only_when_nothing_else_does():
    assert person_name([("contacts", "Mom")], [], ["+14155550177"]) == "Mom"
    assert person_name([("contacts", "Mom"), ("whatsapp", "Ann Lee")], [], ["+14155550177"]) == "Ann Lee"
    assert person_name([("imessage", None)], [], ["+14155550177"]) is None


def test_a_possible_number_written_with_its_country_code_is_kept():
    # +1 555 … is possible but not valid in libphonenumber's metadata; written whole, it is the writer's number.
    assert normalize_phone("+1 555 267 1234", "US") == "+15552671234"
    assert normalize_phone("5552671", "US") is None


def test_a_foreign_national_number_is_read_in_the_owners_other_regions_or_kept_as_its_national_part():
    assert normalize_phone("0151 74833085", "US") is None
    assert normalize_phone("0151 74833085", "US", ("DE",)) == "+4915174833085"
    assert national_number("0151 74833085", "US") == "15174833085"
    assert national_number("(415) 555-0132", "US") is None


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Robert Allen", "Robert Allen", "exact"),
        ("Bob Allen", "Robert Allen", "nickname"),
        ("Robert Alen", "Robert Allen", "typo"),
        ("Allen Robert", "Robert Allen", "typo"),
        ("Robert", "Robert Allen", "partial"),
        ("Jade Cachia", "Jade Dixon", "part"),
        ("Ann Lee", "Tom Berg", "none"),
    ],
)
def test_name_likeness(a, b, level):
    assert name_likeness(a, b) == level


def test_two_lone_first_names_are_only_partly_alike():
    assert name_likeness("Oliver", "Oliver") == "partial"


def test_birthdays_and_addresses():
    assert birthdays_agree("1971-06-24", "1971-06-24") is True
    assert birthdays_agree("1971-06-24", "1971-06-25") is None  # one slip
    assert birthdays_agree("1971-06-24", "1985-01-02") is False
    assert addresses_agree("12 main street london", "12 mian street london")
    assert not addresses_agree("12 main street london", "14 main street london")
