// The whole-network view: the strongest N people, the relationships among them and the communities they
// form; a search box that finds a person in it, and a period (all time or the last 12 months).

import { api } from "./api.js";
import { errorBox, fill, h, plural, skeleton } from "./dom.js";
import { ForceGraph, loadD3 } from "./graph.js";
import { communityLegend, looseCount, toGraphData } from "./network.js";

const SIZES = [100, 250, 500];
const PERIODS = [["all", "All time"], ["year", "Last 12 months"]];

export class GraphView {
  constructor(section, { onOpen }) {
    this.section = section;
    this.onOpen = onOpen;
    this.size = 250;
    this.period = "all";
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
    const periods = h(
      "select",
      { id: "graph-period", onchange: (e) => { this.period = e.target.value; this.load(); } },
      PERIODS.map(([value, label]) => h("option", { value, selected: value === this.period }, label)),
    );
    this.names = h("datalist", { id: "graph-names" });
    this.search = h("input", {
      type: "search", id: "graph-search", list: "graph-names", placeholder: "Find a person…", "aria-label": "Find a person in the graph",
      onchange: () => this.find(), onkeydown: (e) => { if (e.key === "Enter") this.find(); },
    });
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
    this.legend = h("div", { class: "graph-legend", id: "graph-legend" });
    this.stage = h("div", { class: "graph-stage" }, this.canvas, this.tip, this.legend);
    this.body = h("div", { class: "graph-body" });
    fill(
      this.section,
      h("div", { class: "graph-tools" },
        h("label", {}, "Show", sizes),
        h("label", {}, "Seen", periods),
        h("span", { class: "graph-find" }, this.search, this.names),
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
        api("/graph", { params: { limit: this.size, period: this.period }, signal }).then(toGraphData),
      ]);
      if (signal.aborted) return;
      this.body.replaceChildren();
      if (!data.nodes.length) {
        fill(this.body, h("p", { class: "empty" }, this.period === "year"
          ? "Nobody you were in touch with in the last 12 months: choose All time."
          : "No people yet: import a source to see your network."));
        this.status.textContent = "";
        return;
      }
      this.graph = new ForceGraph(d3, this.canvas, {
        onOpen: this.onOpen,
        onHover: (node, event) => this.showTip(node, event),
        onFocus: (node) => { this.status.textContent = `${node.name}: ${plural(node.degree, "connection")}. Enter opens.`; },
      });
      this.canvas.graph = this.graph;
      this.graph.setData(data.nodes, data.links, data.communities);
      this.communities = data.communities;
      this.renderTypes();
      fill(this.names, data.nodes.map((n) => h("option", { value: n.name })));
      fill(this.legend, h("div", {}, "Communities: colour is the group, width the strength of a tie"),
        communityLegend(data.communities, (c) => this.focus(c.members[0], `${c.name}: ${c.reason}.`), looseCount(data.nodes)));
      this.status.textContent = `${plural(data.nodes.length, "person", "people")}, ${plural(data.links.length, "relationship")}, ${plural(data.communities.length, "community", "communities")}`;
      if (!data.links.length) {
        fill(this.body, h("p", { class: "muted small" }, "No relationships among these people yet: they appear as people share threads, meetings and groups."));
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      this.status.textContent = "";
      fill(this.body, errorBox(error.message, () => this.load()));
    }
  }

  /** The person named in the search box (a whole name, else the first name containing the text), centred. */
  find() {
    const text = this.search.value.trim().toLowerCase();
    if (!this.graph || !text) return;
    const nodes = this.graph.nodes;
    const found = nodes.find((n) => n.name?.toLowerCase() === text) || nodes.find((n) => n.name?.toLowerCase().includes(text));
    if (!found) {
      this.status.textContent = `Nobody called “${this.search.value.trim()}” among these people.`;
      return;
    }
    const community = this.communities?.find((c) => c.id === found.community);
    this.focus(found.id, `${found.name}: ${plural(found.degree, "connection")}${community ? ` · ${community.name}` : ""}. Escape lets go.`);
  }

  focus(id, words) {
    this.graph?.focusOn(id);
    this.status.textContent = words;
    this.canvas.focus({ preventScroll: true });
  }

  renderTypes() {
    const boxes = this.graph.types().map((type) => h("label", {},
      h("input", { type: "checkbox", checked: true, value: type, onchange: () => this.filterTypes() }),
      type.replace(/_/g, " ")));
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
    const community = this.communities?.find((c) => c.id === node.community);
    this.tip.textContent = [node.name, community?.name, plural(node.degree, "connection")].filter(Boolean).join(" · ");
    this.tip.style.left = `${event.clientX - rect.left}px`;
    this.tip.style.top = `${event.clientY - rect.top}px`;
    this.tip.hidden = false;
  }
}
