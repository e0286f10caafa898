"""Communities in the user's network: groups of people more tied to one another than to the rest, found
with Louvain modularity (networkx) over the relationships, each named by what most of its members share.

The name is chosen among what members hold: a company (the people's own), a context two of them share
(a group chat, a meeting series, a thread's subject: the relationships' shared contexts) and a vault
context (where the notes about them live). Each is scored by how much of the group holds it times how
much of those holding it are in the group: "Work", held by half the network, names no group when
"Bluefin Studio" is held by the same people and no one else. A group without a telling one is named
after its most central person.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kithkin.insight.wording import company_name, plain_context, share_of

# Louvain is randomised: a fixed seed gives the same groups (and colours) for the same network.
SEED = 16
# A name must be held by this share of the group (and by two people at least)…
NAMING_SHARE = 0.4
# …and score at least this (share of the group holding it × share of its holders in the group).
NAMING_SCORE = 0.2
# What each kind of shared thing reads as, and its rank when two cover as many people.
KINDS = {"company": (0, "work at {}"), "shared": (1, "share {}"), "context": (2, "are in your notes under {}")}


@dataclass
class Community:
    id: int
    name: str
    reason: str
    members: list[str]  # most central first


def centrality(nodes: list[str], edges: list[tuple[str, str, float]]) -> dict[str, float]:
    """Each person's summed tie strength to the others shown (weighted degree): who holds a group together."""
    found = dict.fromkeys(nodes, 0.0)
    for a, b, weight in edges:
        found[a] += weight
        found[b] += weight
    return found


def detect(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> tuple[list[Community], dict[str, int]]:
    """Communities among graph nodes (id, canonical_name, company, vault_contexts as JSON text) joined by
    edges (source, target, overlap_score, shared_contexts as JSON text): the largest first, with ids 0…;
    and person id → community id. People with no tie shown are in no community (left out of the map)."""
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in nodes)
    for edge in edges:
        graph.add_edge(edge["source"], edge["target"], weight=max(edge["overlap_score"], 1e-6))
    weights = centrality([n["id"] for n in nodes], [(e["source"], e["target"], e["overlap_score"]) for e in edges])
    groups = [g for g in nx.community.louvain_communities(graph, weight="weight", seed=SEED) if len(g) > 1]
    ranked = [sorted(g, key=lambda pid: (-weights[pid], pid)) for g in groups]
    ranked.sort(key=lambda members: (-len(members), members[0]))
    by_id = {n["id"]: n for n in nodes}
    contexts_of = _shared_contexts(edges)
    holdings = {pid: _held(by_id[pid], contexts_of.get(pid, set())) for pid in by_id}
    holders = Counter(item for held in holdings.values() for item in held)
    communities = []
    membership: dict[str, int] = {}
    for index, members in enumerate(ranked):
        name, reason = _name(members, by_id, holdings, holders)
        communities.append(Community(index, name, reason, members))
        membership.update(dict.fromkeys(members, index))
    _tell_apart(communities, by_id)
    return communities, membership


def _shared_contexts(edges: list[dict[str, Any]]) -> dict[str, set[str]]:
    """person → the plain names of the contexts they share with someone shown."""
    found: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        for raw in json.loads(edge.get("shared_contexts") or "[]"):
            label = plain_context(str(raw))
            if label:
                found[edge["source"]].add(label)
                found[edge["target"]].add(label)
    return found


def _held(person: dict[str, Any], shared: set[str]) -> set[tuple[str, str]]:
    """What a person holds that could name a group: (kind, label) pairs."""
    found = {("shared", label) for label in shared}
    if person.get("company"):
        found.add(("company", company_name(str(person["company"]))))
    found |= {("context", plain_context(c)) for c in json.loads(person.get("vault_contexts") or "[]")}
    return found


def _name(
    members: list[str],
    by_id: dict[str, dict[str, Any]],
    holdings: dict[str, set[tuple[str, str]]],
    holders: Counter[tuple[str, str]],
) -> tuple[str, str]:
    held = Counter(item for pid in members for item in holdings[pid])
    needed = max(2, NAMING_SHARE * len(members))

    def score(item: tuple[str, str]) -> float:
        return held[item] / len(members) * held[item] / holders[item]

    telling = [item for item, count in held.items() if count >= needed and score(item) >= NAMING_SCORE]
    if not telling:
        hub = by_id[members[0]]["canonical_name"]
        return f"Around {hub}", f"nothing most of them share tells them apart; {hub} is the most tied in"
    best = min(telling, key=lambda item: (-score(item), KINDS[item[0]][0], item[1]))
    kind, label = best
    return label, f"{share_of(held[best], len(members))} {KINDS[kind][1].format(label)}"


def _tell_apart(communities: list[Community], by_id: dict[str, dict[str, Any]]) -> None:
    """Two groups named alike (two circles at one company) are told apart by their most central person."""
    counts = Counter(c.name for c in communities)
    for community in communities:
        if counts[community.name] > 1:
            community.name = f"{community.name} · {by_id[community.members[0]]['canonical_name']}"
