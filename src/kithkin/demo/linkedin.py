"""Demo LinkedIn export: the zip LinkedIn sends, with Connections.csv (preamble, mostly empty emails,
companies with commas), messages.csv (one-to-one and a group conversation) and Profile.csv."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "linkedin"
ORDER = 20

PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    'address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here"\r\n'
    "\r\n"
)
MESSAGE_COLUMNS = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "IS MESSAGE DRAFT",
]
OWNER_URL = "https://www.linkedin.com/in/alex-rivera-0a1b2c"


def profile_url(person: DemoPerson) -> str:
    slug = f"{person.first}-{person.last}".lower().replace("'", "").replace(" ", "-")
    return f"https://www.linkedin.com/in/{slug.encode('ascii', 'ignore').decode()}-{person.key[1:]}"


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def write(cast: Cast, folder: Path) -> list[Path]:
    rng = cast.rng
    connected = [p for p in cast.people if p.company or p.closeness > 0.5]
    rows = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]]
    for person in connected:
        when = cast.now - timedelta(days=rng.randrange(30, 2500))
        company = f"{person.company}, Inc." if person.company and rng.random() < 0.3 else person.company or ""
        email = (person.work_email or person.personal_email or "") if rng.random() < 0.15 else ""
        position = person.position or ""
        rows.append([person.first, person.last, profile_url(person), email, company, position, f"{when:%d %b %Y}"])
    connections = PREAMBLE + _csv(rows)

    owner = cast.owner["name"]
    messages = [MESSAGE_COLUMNS]
    for index, person in enumerate(p for p in connected if p.closeness > 0.3):
        conversation = f"2-{index:04d}demo{person.key}=="
        for moment in cast.moments(person, 1 + int(person.closeness * 6)):
            outgoing = rng.random() < 0.5
            sender, recipient = ((owner, OWNER_URL), (person.name, profile_url(person)))[:: -1 if not outgoing else 1]
            messages.append(
                [
                    conversation,
                    "",
                    sender[0],
                    sender[1],
                    recipient[0],
                    recipient[1],
                    f"{moment:%Y-%m-%d %H:%M:%S} UTC",
                    "",
                    rng.choice(["Great to reconnect!", "Are you free next week?", "Thanks, that helps a lot."]),
                    "INBOX",
                    "No",
                ]
            )
    group = [p for p in connected if p.company][:3]
    if len(group) == 3:
        names = ", ".join(p.name for p in group)
        urls = ", ".join(profile_url(p) for p in group)
        messages.append(
            [
                "2-groupdemo==",
                "Offsite planning",
                owner,
                OWNER_URL,
                names,
                urls,
                f"{cast.now - timedelta(days=3):%Y-%m-%d %H:%M:%S} UTC",
                "",
                "<p>Shall we plan the offsite?</p>",
                "INBOX",
                "No",
            ]
        )
    first, last = owner.split(" ", 1)
    profile = _csv([["First Name", "Last Name", "Headline"], [first, last, "Engineer at Northwind Labs"]])

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"Basic_LinkedInDataExport_{cast.now:%m-%d-%Y}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", "\ufeff" + connections)
        archive.writestr("messages.csv", _csv(messages))
        archive.writestr("Profile.csv", profile)
    return [path]
