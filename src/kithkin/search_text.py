"""Search results as a terminal shows them: the matched words in bold, every text printed as text."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text


def marked(spans: list[dict[str, Any]]) -> Text:
    """Spans as rich Text: user text never goes through console markup, so "[bold]" in a message stays as written."""
    text = Text()
    for span in spans:
        text.append(span["text"], style="bold yellow" if span["match"] else None)
    return text


def print_results(console: Console, results: dict[str, Any]) -> None:
    found_people, conversations = results["people"], results["conversations"]
    if found_people["items"]:
        console.print(Text("People", style="bold underline"))
        for person in found_people["items"]:
            line = Text(person["canonical_name"], style="bold")
            if person["match_count"]:
                line.append(f"  {person['match_count']} matching, last {person['last_match'][:10]}")
            console.print(line)
    console.print(Text(f"Conversations ({conversations['total']})", style="bold underline"))
    for item in conversations["items"]:
        head = Text(f"{item['occurred_at'][:10]}  {item['source_type']}  ", style="dim")
        head.append(", ".join(p["name"] for p in item["people"]) or "nobody known")
        console.print(head)
        if item["title"]:
            console.print(Text("  ").append_text(marked(item["title_spans"])))
        if item["snippet_spans"]:
            console.print(Text("  ").append_text(marked(item["snippet_spans"])))
    if not conversations["items"] and not found_people["items"]:
        console.print("Nothing matches.")
