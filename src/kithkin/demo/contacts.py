"""Demo contacts: one vCard 3.0 file with most of the cast, as an address book app exports it."""

from __future__ import annotations

from pathlib import Path

from kithkin.demo.cast import Cast, DemoPerson

SOURCE = "contacts"
ORDER = 10  # cards first: the strongest identity evidence, so later sources link to these people


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 6350 §3.2: lines longer than 75 octets continue on the next line after one space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
    return "\r\n ".join(parts)


def card(person: DemoPerson, birthday: str | None) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"UID:kithkin-demo-{person.key}",
        f"N:{_escape(person.last)};{_escape(person.first)};;;",
        f"FN:{_escape(person.name)}",
    ]
    if person.nickname:
        lines.append(f"NICKNAME:{_escape(person.nickname)}")
    if person.company:
        lines.append(f"ORG:{_escape(person.company)};")
    if person.position:
        lines.append(f"TITLE:{_escape(person.position)}")
    if person.work_email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{person.work_email}")
    if person.personal_email:
        lines.append(f"EMAIL;TYPE=INTERNET,HOME{',PREF' if not person.work_email else ''}:{person.personal_email}")
    if person.phone:
        lines.append(f"TEL;TYPE=CELL,VOICE,PREF:{person.phone}")
    if birthday:
        lines.append(f"BDAY:{birthday}")
    lines.append(f"NOTE:{_escape(f'Met through {person.circle}, and stayed in touch since.')}")
    lines.append("END:VCARD")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def write(cast: Cast, folder: Path) -> list[Path]:
    """Cards for about 85 % of the cast (the rest are only ever seen in messages or mail)."""
    rng = cast.rng
    cards = []
    for person in cast.people:
        if rng.random() < 0.15:
            continue
        birthday = f"{rng.randint(1960, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        cards.append(card(person, birthday if rng.random() < 0.4 else None))
    path = folder / "contacts.vcf"
    path.write_bytes("".join(cards).encode("utf-8"))
    return [path]
