"""Communities: Louvain groups of the network, each named by what most of its members share."""

from __future__ import annotations

import json

from kithkin.insight.communities import detect
from kithkin.insight.wording import company_name, plain_context


def node(pid: str, company: str | None = None, contexts: tuple[str, ...] = ()) -> dict:
    return {"id": pid, "canonical_name": pid.title(), "company": company, "vault_contexts": json.dumps(contexts)}


def clique(ids: list[str], score: float, contexts: tuple[str, ...] = ()) -> list[dict]:
    return [
        {"source": a, "target": b, "overlap_score": score, "shared_contexts": json.dumps(contexts)}
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    ]


def test_groups_are_found_and_named_by_what_tells_them_apart() -> None:
    """Four at Acme (all with the generic vault context Work/, as are two climbers), four climbers sharing
    a group chat, three neighbours sharing nothing, one weak tie between groups, one loner."""
    acme = ["ana", "ben", "cy", "dee"]
    climbers = ["eve", "fay", "gus", "hal"]
    street = ["ivy", "jo", "kim"]
    nodes = [node(p, "Acme, Inc." if p != "dee" else "Acme", ("Work/",)) for p in acme]
    nodes += [node(p, None, ("Work/",) if p in ("eve", "fay") else ()) for p in climbers]
    nodes += [node(p) for p in street] + [node("lone", "Solo Ltd")]
    edges = clique(acme, 0.8) + clique(climbers, 0.6, ("Personal/Climbing Club/",)) + clique(street, 0.5)
    edges.append({"source": "dee", "target": "eve", "overlap_score": 0.05, "shared_contexts": "[]"})
    found, membership = detect(nodes, edges)
    assert [(c.name, c.reason, sorted(c.members)) for c in found] == [
        ("Acme", "all 4 work at Acme", acme),
        ("Climbing Club", "all 4 share Climbing Club", climbers),
        ("Around Ivy", "nothing most of them share tells them apart; Ivy is the most tied in", street),
    ]
    assert found[0].members[0] == "dee"  # the most tied in: the bridge adds to her ties
    assert "lone" not in membership
    assert {membership[p] for p in acme} == {0}


def test_two_groups_named_alike_are_told_apart_by_their_centre() -> None:
    left, right = ["a1", "a2", "a3"], ["b1", "b2", "b3"]
    nodes = [node(p, "Acme") for p in left + right]
    found, _ = detect(nodes, clique(left, 0.9) + clique(right, 0.9))
    assert sorted(c.name for c in found) == ["Acme · A1", "Acme · B1"]


def test_the_same_network_gives_the_same_groups() -> None:
    nodes = [node(f"p{i}") for i in range(30)]
    edges = clique([f"p{i}" for i in range(10)], 0.5) + clique([f"p{i}" for i in range(9, 30)], 0.3)
    first = detect(nodes, edges)
    assert detect(nodes, edges) == first


def test_plain_words_for_folders_and_companies() -> None:
    assert plain_context("Personal/Climbing Club/") == "Climbing Club"
    assert plain_context("Work") == "Work"
    assert company_name("Bluefin Studio, Inc.") == "Bluefin Studio"
    assert company_name("  Acme Co. ") == "Acme"
    assert company_name("Co") == "Co"
