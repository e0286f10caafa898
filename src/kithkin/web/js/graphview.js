// The whole-network view: the strongest N people and the relationships among them.

import { api } from "./api.js";
import { errorBox, fill, h, plural, skeleton } from "./dom.js";
import { ForceGraph, loadD3 } from "./graph.js";

const SIZES = [100, 250, 500];

/** Nodes and links for the N strongest people, as the graph draws them. */
export async function networkData(limit, signal) {
  const body = await api("/graph", { params: { limit }, signal });
  return {
    nodes: body.nodes.map((n) => ({ id: n.id, name: n.canonical_name, strength: n.relationship_strength })),
    links: body.edges.map((e) => ({ source: e.source, target: e.target, type: e.relationship_type || "related", weight: e.overlap_score })),
  };
}

export class GraphView {
  constructor(section, { onOpen }) {
    this.section = section;
    this.onOpen = onOpen;
    this.size = 250;
    this.graph = null;
    this.controller = null;
    this.built = false;
  }

  build() {
    this.built = true;
    this.status = h("span", { class: "muted", role: "status", "aria-live": "polite" });
    this.types = h("fieldset", {}, h("legend", {}, "Relationship types"));
    const sizes = h(
      "select",
      { id: "graph-size", onchange: (e) => { this.size = Number(e.target.value); this.load(); } },
      SIZES.map((n) => h("option", { value: String(n), selected: n === this.size }, `${n} strongest`)),
    );
    const zoom = (factor) => () => {
      if (!this.graph) return;
      const sel = this.graph.d3.select(this.graph.canvas);
      if (factor) this.graph.zoom.scaleBy(sel.transition().duration(200), factor);
      else this.graph.recenter();
    };
    this.canvas = h("canvas", {
      id: "graph-canvas", class: "graph-canvas", tabindex: "0", role: "img",
      "aria-label": "Relationship graph. Arrow keys move between people, Enter opens one, plus and minus zoom.",
    });
    this.tip = h("div", { class: "graph-tip", hidden: true });
    this.stage = h("div", { class: "graph-stage" }, this.canvas, this.tip,
      h("div", { class: "graph-legend" }, "Strength",
        h("span", { class: "swatch swatch-high" }), "high",
        h("span", { class: "swatch swatch-medium" }), "medium",
        h("span", { class: "swatch swatch-low" }), "low"));
    this.body = h("div", { class: "graph-body" });
    fill(
      this.section,
      h("div", { class: "graph-tools" },
        h("label", {}, "Show", sizes),
        this.types,
        h("span", { class: "row" },
          h("button", { type: "button", class: "btn small", "aria-label": "Zoom in", onclick: zoom(1.4) }, "+"),
          h("button", { type: "button", class: "btn small", "aria-label": "Zoom out", onclick: zoom(1 / 1.4) }, "−"),
          h("button", { type: "button", class: "btn small", onclick: zoom(0) }, "Reset")),
        this.status),
      this.body,
      this.stage,
    );
  }

  async show() {
    if (!this.built) this.build();
    if (this.graph) {
      this.graph.simulation.restart();
      return;
    }
    await this.load();
  }

  hide() {
    this.graph?.stop();
  }

  async load() {
    this.controller?.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    this.graph?.destroy();
    this.graph = null;
    fill(this.body, skeleton(2));
    this.status.textContent = "Loading the network…";
    try {
      const [d3, data] = await Promise.all([
        loadD3(),
        networkData(this.size, signal),
      ]);
      if (signal.aborted) return;
      this.body.replaceChildren();
      if (!data.nodes.length) {
        fill(this.body, h("p", { class: "empty" }, "No people yet: import a source to see your network."));
        this.status.textContent = "";
        return;
      }
      this.graph = new ForceGraph(d3, this.canvas, {
        onOpen: this.onOpen,
        onHover: (node, event) => this.showTip(node, event),
        onFocus: (node) => { this.status.textContent = `${node.name}: ${plural(node.degree, "connection")}. Enter opens.`; },
      });
      this.canvas.graph = this.graph;
      this.graph.setData(data.nodes, data.links);
      this.renderTypes();
      this.status.textContent = `${plural(data.nodes.length, "person", "people")}, ${plural(data.links.length, "relationship")}`;
      if (!data.links.length) {
        fill(this.body, h("p", { class: "muted small" }, "No relationships among these people yet: they appear as people share threads, meetings and groups."));
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      this.status.textContent = "";
      fill(this.body, errorBox(error.message, () => this.load()));
    }
  }

  renderTypes() {
    const boxes = this.graph.types().map(([type, colour]) => {
      const swatch = h("span", { class: "swatch" });
      swatch.style.background = colour;
      return h("label", {},
        h("input", { type: "checkbox", checked: true, value: type, onchange: () => this.filterTypes() }),
        swatch, type.replace(/_/g, " "));
    });
    fill(this.types, h("legend", {}, "Relationship types"), boxes.length ? boxes : h("span", { class: "muted" }, "none yet"));
  }

  filterTypes() {
    const hidden = [...this.types.querySelectorAll("input:not(:checked)")].map((i) => i.value);
    this.graph.setHiddenTypes(hidden);
  }

  showTip(node, event) {
    if (!node || !event) {
      this.tip.hidden = true;
      return;
    }
    const rect = this.stage.getBoundingClientRect();
    this.tip.textContent = `${node.name} · ${plural(node.degree, "connection")}`;
    this.tip.style.left = `${event.clientX - rect.left}px`;
    this.tip.style.top = `${event.clientY - rect.top}px`;
    this.tip.hidden = false;
  }
}
