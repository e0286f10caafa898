"""The macOS Contacts app, live, through the Contacts framework (`pyobjc-framework-Contacts`, the
`macos` extra). Only importable on macOS; `available()` says whether it can run here.

Reads every card the user has allowed Kithkin to see (the Contacts permission prompt appears on
the first run) and yields them as the file importer does (`contacts.Card`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from kithkin.importers.contacts import Card, apple_label, image_data_uri
from kithkin.models import KithkinError, Observation

# Where the Contacts app keeps its databases: a change there is a change of the user's cards.
ADDRESS_BOOK_FOLDER = Path("~/Library/Application Support/AddressBook")
UNDEFINED = sys.maxsize  # NSDateComponentUndefined: a birthday without a year


def available() -> bool:
    if sys.platform != "darwin":
        return False
    try:
        import Contacts  # noqa: F401
    except ImportError:
        return False
    return True


def _birthday(components: Any) -> str | None:
    if components is None:
        return None
    month, day, year = components.month(), components.day(), components.year()
    if month == UNDEFINED or day == UNDEFINED:
        return None
    return f"--{month:02d}-{day:02d}" if year == UNDEFINED else f"{year:04d}-{month:02d}-{day:02d}"


def card_from_contact(contact: Any) -> Card:
    """A CNContact as a Card: names, every labelled phone and email, work details, birthday, thumbnail."""
    person = " ".join(
        p for p in (contact.givenName(), contact.middleName(), contact.familyName()) if p and str(p).strip()
    )
    organization = str(contact.organizationName() or "").strip()
    card = Card(source_id=str(contact.identifier()), name=person or organization or None)
    for rank, labelled in enumerate(contact.phoneNumbers()):
        card.phones.append((str(labelled.value().stringValue()), apple_label(labelled.label()), rank))
    for rank, labelled in enumerate(contact.emailAddresses()):
        card.emails.append((str(labelled.value()), apple_label(labelled.label()), rank))
    thumbnail = contact.thumbnailImageData()
    urls = [str(u.value()) for u in contact.urlAddresses()]
    extra = {
        "company": organization if person else None,
        "department": str(contact.departmentName() or "").strip(),
        "position": str(contact.jobTitle() or "").strip(),
        "nickname": str(contact.nickname() or "").strip(),
        "birthday": _birthday(contact.birthday()),
        "avatar": image_data_uri(bytes(thumbnail)) if thumbnail else None,
        "linkedin_url": next((u for u in urls if "linkedin.com/" in u.lower()), None),
    }
    card.metadata = {k: v for k, v in extra.items() if v}
    return card


class MacContactsImporter:
    source_type: ClassVar[str] = "contacts"

    def sniff(self, path: Path) -> bool:
        return False  # a live source, never a file

    def cursor(self) -> str | None:
        return None  # the framework offers no cheap change feed we rely on: every sync reads all cards

    def read(self, target: Any, cursor: str | None) -> Iterator[Observation | Exception]:
        import Contacts

        store = Contacts.CNContactStore.alloc().init()
        keys = [
            Contacts.CNContactIdentifierKey,
            Contacts.CNContactGivenNameKey,
            Contacts.CNContactMiddleNameKey,
            Contacts.CNContactFamilyNameKey,
            Contacts.CNContactNicknameKey,
            Contacts.CNContactOrganizationNameKey,
            Contacts.CNContactDepartmentNameKey,
            Contacts.CNContactJobTitleKey,
            Contacts.CNContactPhoneNumbersKey,
            Contacts.CNContactEmailAddressesKey,
            Contacts.CNContactBirthdayKey,
            Contacts.CNContactThumbnailImageDataKey,
            Contacts.CNContactUrlAddressesKey,
        ]
        request = Contacts.CNContactFetchRequest.alloc().initWithKeysToFetch_(keys)
        found: list[Any] = []
        ok, error = store.enumerateContactsWithFetchRequest_error_usingBlock_(
            request, None, lambda contact, stop: found.append(contact)
        )
        if not ok:
            raise KithkinError(
                f"macOS Contacts could not be read ({error.localizedDescription() if error else 'access denied'}); "
                "allow Kithkin (or your terminal) under System Settings › Privacy & Security › Contacts."
            )
        now = datetime.now(UTC)
        for contact in found:
            try:
                yield card_from_contact(contact).observation(now)
            except Exception as exc:  # one odd card must not stop the sync
                yield ValueError(f"a macOS contact could not be read ({exc}); skipped")
