"""Demo calls: an Android "SMS Backup & Restore" calls.xml with the owner's closer contacts."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from kithkin.demo.cast import Cast

SOURCE = "calls"
ORDER = 40


def write(cast: Cast, folder: Path) -> list[Path]:
    """Calls in and out, some missed, with the number as the phone stored it (national format)."""
    rng = cast.rng
    lines = []
    for person in cast.people:
        if person.phone is None or person.closeness < 0.2:
            continue
        national = f"({person.phone[2:5]}) {person.phone[5:8]}-{person.phone[8:]}"
        for moment in cast.moments(person, 1 + int(person.closeness * 12)):
            kind = rng.choices([1, 2, 3, 5], weights=[5, 5, 2, 1])[0]
            duration = 0 if kind in (3, 5) else rng.randrange(20, 1800)
            millis = int(moment.timestamp() * 1000)
            name = person.name if rng.random() < 0.8 else "(Unknown)"
            lines.append(
                f'  <call number={quoteattr(national)} duration="{duration}" date="{millis}" type="{kind}"'
                f' presentation="1" subscription_id="1" post_dial_digits=""'
                f" readable_date={quoteattr(moment.strftime('%b %d, %Y %I:%M:%S %p'))}"
                f" contact_name={quoteattr(name)} />"
            )
    path = folder / "calls.xml"
    header = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<?xml-stylesheet type="text/xsl" href="calls.xsl"?>\n'
    )
    backup_date = int(cast.now.timestamp() * 1000)
    body = f'<calls count="{len(lines)}" backup_set="demo" backup_date="{backup_date}" type="full">\n'
    path.write_text(header + body + "\n".join(lines) + "\n</calls>\n", encoding="utf-8")
    return [path]
