"""Who the user knows at each organisation: people grouped by the company their contact cards, LinkedIn
and other profiles name, and by their email domain when crm_mappings.yaml maps it to a company. Each
person comes with the evidence in words and their role, strength and last contact."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from typing import Any

from kithkin.insight.wording import company_name
from kithkin.store import companies as store

SOURCE_WORDS = {
    "contacts": "contact card",
    "carddav": "contact card",
    "linkedin": "LinkedIn",
    "slack": "Slack profile",
    "mail": "email signature",
    "calendar": "calendar",
    "vault": "your notes",
    "granola": "meeting notes",
}


def company_id(name: str) -> str:
    """A stable, readable id: "Bluefin Studio" → "bluefin-studio"."""
    return re.sub(r"[^\w]+", "-", company_name(name).casefold()).strip("-") or "company"


def gather(conn: sqlite3.Connection, domain_mappings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """company id → {id, name, domains, people: {person id → {person figures, evidence: [words]}}}."""
    persons = store.working_people(conn)
    found: dict[str, dict[str, Any]] = {}
    names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def place(person_id: str, raw: str, evidence: str, domain: str | None = None) -> None:
        key = company_id(raw)
        company = found.setdefault(key, {"id": key, "domains": set(), "people": {}})
        names[key][company_name(raw)] += 1
        if domain:
            company["domains"].add(domain)
        entry = company["people"].setdefault(person_id, {"evidence": []})
        if evidence not in entry["evidence"]:
            entry["evidence"].append(evidence)

    for person_id, source_type, raw in store.stated_companies(conn):
        if person_id in persons and raw.strip():
            place(person_id, raw, SOURCE_WORDS.get(source_type, source_type))
    for person_id, person in persons.items():
        for email in person["emails"]:
            domain = email.rpartition("@")[2]
            mapped = domain_mappings.get(domain, {}).get("company")
            if mapped:
                place(person_id, mapped, f"email at {domain}", domain)
        if person["company"] and not any(person_id in c["people"] for c in found.values()):
            place(person_id, person["company"], "their profile")
    for key, company in found.items():
        company["name"] = max(names[key].items(), key=lambda item: (item[1], -len(item[0])))[0]
        company["domains"] = sorted(company["domains"])
        for person_id, entry in company["people"].items():
            entry.update(persons[person_id])
    return found


def listing(companies: dict[str, dict[str, Any]], q: str | None = None) -> list[dict[str, Any]]:
    """Companies with the people the user knows there, the most people first; `q` filters names and domains."""
    wanted = (q or "").casefold().strip()
    rows = []
    for company in companies.values():
        if wanted and wanted not in company["name"].casefold() and not any(wanted in d for d in company["domains"]):
            continue
        people = _ranked(company["people"])
        rows.append(
            {
                "id": company["id"],
                "name": company["name"],
                "domains": company["domains"],
                "people_count": len(people),
                "strongest": [p["canonical_name"] for p in people[:3]],
                "last_contact": max((p["last_seen"] for p in people if p["last_seen"]), default=None),
            }
        )
    rows.sort(key=lambda c: (-c["people_count"], c["name"].casefold()))
    return rows


def detail(companies: dict[str, dict[str, Any]], key: str) -> dict[str, Any] | None:
    """One company with everyone the user knows there, strongest first; None when unknown."""
    company = companies.get(key)
    if company is None:
        return None
    people = [
        {
            "id": p["id"],
            "canonical_name": p["canonical_name"],
            "position": p["position"],
            "relationship_strength": p["relationship_strength"],
            "last_seen": p["last_seen"],
            "interaction_count": p["interaction_count"],
            "evidence": p["evidence"],
        }
        for p in _ranked(company["people"])
    ]
    last = max((p["last_seen"] for p in people if p["last_seen"]), default=None)
    return {
        "id": company["id"],
        "name": company["name"],
        "domains": company["domains"],
        "last_contact": last,
        "people_count": len(people),
        "people": people,
    }


def _ranked(people: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(people.values(), key=lambda p: (-p["relationship_strength"], p["canonical_name"].casefold()))
