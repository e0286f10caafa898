"""The demo life: a deterministic cast of a few hundred people with their circles.

Writers in this package (one module per source, each with `SOURCE` and `write(cast, folder)`)
turn the cast into real source files that the real importers then read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Isabel",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nikhil",
    "Olivia",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
    "Robert",
    "William",
    "Katherine",
    "Elizabeth",
    "Michael",
    "Sofia",
    "Mateo",
    "Aisha",
    "Lucas",
    "Ingrid",
    "Tomás",
    "Amélie",
    "Noah",
    "Priya",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "García",
    "Nakamura",
    "Smith",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Rossi",
    "Chen",
    "Novak",
    "Fischer",
    "Moreau",
    "Patel",
    "O'Brien",
    "Silva",
    "Jensen",
    "Kim",
    "Nguyen",
    "Ibrahim",
    "Müller",
    "Costa",
    "Andersson",
    "Tanaka",
    "Ward",
    "Baker",
    "Reyes",
    "Hughes",
    "Volkov",
    "Bianchi",
]
NICK = {"Robert": "Bob", "William": "Bill", "Katherine": "Kate", "Elizabeth": "Liz", "Michael": "Mike"}
COMPANIES = [
    ("Northwind Labs", "northwind.example", "work"),
    ("Bluefin Studio", "bluefin.example", "work"),
    ("Harbor Health", "harborhealth.example", "work"),
]
PERSONAL_DOMAINS = ["gmail.com", "fastmail.com", "icloud.com"]
CIRCLES = ["family", "college", "climbing club", "book club", "neighbours"]
OWNER = {
    "name": "Alex Rivera",
    "email": "alex.rivera@northwind.example",
    "phone": "+14155550100",
    "personal_email": "alexrivera@gmail.com",
}


@dataclass
class DemoPerson:
    key: str
    first: str
    last: str
    phone: str | None
    personal_email: str | None
    work_email: str | None
    company: str | None
    position: str | None
    circle: str
    closeness: float  # 0..1: how often the owner talks to them
    nickname: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Cast:
    people: list[DemoPerson]
    now: datetime
    rng: random.Random
    owner: dict[str, str] = field(default_factory=lambda: dict(OWNER))

    def circle(self, name: str) -> list[DemoPerson]:
        return [p for p in self.people if p.circle == name]

    def moments(self, person: DemoPerson, count: int, days: int = 365) -> list[datetime]:
        """`count` times over the past `days`, denser lately for close people."""
        found = []
        for _ in range(count):
            skew = self.rng.random() ** (1 + 2 * person.closeness)
            found.append(self.now - timedelta(days=skew * days, minutes=self.rng.randrange(0, 1440)))
        return sorted(found)


def make_cast(size: int = 300, seed: int = 7, now: datetime | None = None) -> Cast:
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    people, used = [], set()
    positions = ["Engineer", "Designer", "Product Manager", "Researcher", "Director", "Analyst", "Founder"]
    for index in range(size):
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if (first, last) not in used:
                used.add((first, last))
                break
        slug = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        slug = slug.encode("ascii", "ignore").decode() or f"person{index}"
        company = rng.choice(COMPANIES) if rng.random() < 0.45 else None
        people.append(
            DemoPerson(
                key=f"d{index:04d}",
                first=first,
                last=last,
                phone=f"+1415555{index:04d}" if rng.random() < 0.8 else None,
                personal_email=f"{slug}{index}@{rng.choice(PERSONAL_DOMAINS)}" if rng.random() < 0.7 else None,
                work_email=f"{slug}@{company[1]}" if company else None,
                company=company[0] if company else None,
                position=rng.choice(positions) if company else None,
                circle=company[2] if company else rng.choice(CIRCLES),
                closeness=rng.random() ** 2,
                nickname=NICK.get(first),
            )
        )
    return Cast(people=people, now=now, rng=rng)
