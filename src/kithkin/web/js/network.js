// What the graph views share: the server's network answer as the graph draws it, the legend of
// communities, and the ego network that closes a person's Connections tab.

import { api } from "./api.js";
import { h, plural } from "./dom.js";
import { COMMUNITY_COLOURS, ForceGraph, NO_COMMUNITY, communityColour, loadD3 } from "./graph.js";

/** A /graph or /people/{id}/network answer → {nodes, links, communities} as ForceGraph takes them. */
export function toGraphData(body) {
  return {
    nodes: body.nodes.map((n) => ({
      id: n.id, name: n.canonical_name, strength: n.relationship_strength, community: n.community, centrality: n.centrality,
    })),
    links: body.edges.map((e) => ({ source: e.source, target: e.target, type: e.relationship_type || "related", weight: e.overlap_score })),
    communities: body.communities || [],
  };
}

/** The communities with their colours and why they are so named; `onPick(community)` highlights one.
 * `loose` people are in no community (or a small one past the palette) and drawn grey. */
export function communityLegend(communities, onPick, loose = 0) {
  const shown = communities.slice(0, COMMUNITY_COLOURS.length);
  const rest = communities.length - shown.length;
  const swatch = (colour) => {
    const el = h("span", { class: "swatch" });
    el.style.background = colour;
    return el;
  };
  return h("ul", { class: "community-legend", "aria-label": "Communities" },
    shown.map((c) => h("li", {},
      h("button", { type: "button", class: "linklike", title: c.reason, onclick: () => onPick?.(c) },
        swatch(communityColour(c.id)), c.name, h("span", { class: "muted" }, ` ${c.size}`)))),
    loose > 0
      ? h("li", { class: "muted" }, swatch(NO_COMMUNITY), rest > 0 ? `${plural(rest, "smaller group")}, or tied to no one here` : "tied to no one here")
      : null);
}

/** A person's ego network on a canvas: their closest connections and the ties among them, coloured by the
 * circles those connections form. Returns the graph (to destroy with the tab) or null. */
export async function renderEgo(root, person, onOpen) {
  const [d3, body] = await Promise.all([
    loadD3().catch(() => null),
    api(`/people/${encodeURIComponent(person.id)}/network`, { params: { limit: 40 } }).catch(() => null),
  ]);
  if (!d3 || !body || !root.isConnected) return null;
  const data = toGraphData(body);
  const ties = data.links.filter((l) => l.source !== person.id && l.target !== person.id).length;
  const canvas = h("canvas", {
    class: "ego-graph", id: "ego-canvas", tabindex: "0", role: "img",
    "aria-label": `${person.canonical_name}, ${plural(data.nodes.length - 1, "connection")} and ${plural(ties, "tie")} among them`,
  });
  root.append(
    h("div", { class: "section" },
      h("h3", {}, "Their circle"),
      h("p", { class: "muted small" }, `${plural(data.nodes.length - 1, "connection")}, ${plural(ties, "tie")} among them; colours are the groups they form.`),
      canvas,
      communityLegend(data.communities, (c) => graph.focusOn(c.members[0]), looseCount(data.nodes) - 1)),
  );
  const graph = new ForceGraph(d3, canvas, { onOpen, centerId: person.id });
  canvas.graph = graph;
  graph.setData(data.nodes, data.links, data.communities);
  return graph;
}

/** How many people are drawn grey: in no community, or in one past the palette. */
export function looseCount(nodes) {
  return nodes.filter((n) => n.community == null || n.community >= COMMUNITY_COLOURS.length).length;
}
