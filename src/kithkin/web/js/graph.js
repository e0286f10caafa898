// A force-directed relationship graph drawn on a canvas (SVG is too slow past a few hundred nodes):
// d3-force lays it out, d3-zoom pans and zooms, and each frame is one batched path per colour and width.
// People are coloured by community, edges are as wide as the tie is strong, and only the most central
// people are labelled until the pointer or the zoom asks for more (labels never overlap).

let d3Loading = null;

/** The vendored d3 bundle, loaded on first use so the people list never waits for it. */
export function loadD3() {
  if (window.d3) return Promise.resolve(window.d3);
  if (!d3Loading) {
    d3Loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/crm/vendor/d3/d3.min.js";
      script.onload = () => resolve(window.d3);
      script.onerror = () => {
        d3Loading = null;
        reject(new Error("The graph library (d3) could not be loaded from this server; reload the page."));
      };
      document.head.appendChild(script);
    });
  }
  return d3Loading;
}

// Paul Tol's "muted" scheme: told apart with any of the common colour-vision deficiencies. Communities past
// the ninth (small ones: they come largest first) and people tied to no one shown share the grey.
export const COMMUNITY_COLOURS = ["#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255", "#aa4499"];
export const NO_COMMUNITY = "#b0b0b0";
// Tie strength (overlap 0..1) → how many parallel hairlines, one pixel apart, draw it: a hairline is the
// software rasteriser's fast path, and bench/ui.py's 2,000 ties stroked 1.8 and 3 px wide by strength drew
// at 11 fps (all hairlines: 32). Only the WIDE strongest ties are widened; the rest are single hairlines,
// fainter when weak.
const WIDTHS = [[0.66, 3], [0.33, 2], [0, 1]];
const WIDE = 300;
const LABEL_FONT = "12px system-ui, sans-serif";
const GROUP_FONT = "14px system-ui, sans-serif";
const LABELLED = 12; // the most central people labelled when nothing is hovered, in a large graph

export function communityColour(index) {
  return index == null || index >= COMMUNITY_COLOURS.length ? NO_COMMUNITY : COMMUNITY_COLOURS[index];
}

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export class ForceGraph {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onOpen(id): void, onFocus?(node): void, onHover?(node, event): void, centerId?: string}} options
   */
  constructor(d3, canvas, options) {
    this.d3 = d3;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.options = options;
    this.transform = d3.zoomIdentity;
    this.nodes = [];
    this.allLinks = [];
    this.links = [];
    this.hidden = new Set();
    this.hover = null;
    this.focusIndex = -1;
    this.frame = 0;
    this.frames = 0;
    this.types_ = new Set();
    this.pinned = null;
    this.labelWidths = new Map();
    this.colours = {
      high: cssVar("--crm-strength-high", "#4caf50"),
      medium: cssVar("--crm-strength-medium", "#ff9800"),
      low: cssVar("--crm-strength-low", "#9e9e9e"),
      text: cssVar("--text", "#1c2330"),
      panel: cssVar("--panel", "#ffffff"),
      people: cssVar("--people", "#00bcd4"),
    };
    this.simulation = d3
      .forceSimulation()
      .force("charge", d3.forceManyBody().strength(-45).theta(0.9).distanceMax(350))
      .force("link", d3.forceLink().id((d) => d.id).distance(45).strength((l) => 0.05 + 0.5 * (l.weight || 0)))
      .force("x", d3.forceX().strength(0.05))
      .force("y", d3.forceY().strength(0.05))
      .force("collide", d3.forceCollide((d) => d.radius + 3))
      .alphaDecay(0.035)
      .on("tick", () => this.draw())
      .on("end", () => {
        if (!this.userMoved) this.fit();
      });
    this.zoom = d3
      .zoom()
      .scaleExtent([0.1, 10])
      .on("zoom", (event) => {
        if (event.sourceEvent) this.userMoved = true;
        this.transform = event.transform;
        this.schedule();
      });
    d3.select(canvas).call(this.zoom).on("dblclick.zoom", null);
    this.listeners = [
      ["click", (event) => this.onClick(event)],
      ["pointermove", (event) => this.onMove(event)],
      ["pointerleave", () => this.setHover(null)],
      ["keydown", (event) => this.onKey(event)],
    ];
    for (const [type, fn] of this.listeners) canvas.addEventListener(type, fn);
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(canvas);
    this.resize();
  }

  /** nodes: [{id, name, strength, community, centrality}], links: [{source, target, type, weight}] (ids),
   * communities: [{id, name, members}] (their names are drawn over them, their most central member labelled). */
  setData(nodes, links, communities = []) {
    const known = new Set(nodes.map((n) => n.id));
    this.nodes = nodes.map((n) => ({ ...n, degree: 0 }));
    this.allLinks = links.filter((l) => known.has(l.source) && known.has(l.target)).map((l) => ({ ...l }));
    const byId = new Map(this.nodes.map((n) => [n.id, n]));
    this.byId = byId;
    for (const link of this.allLinks) {
      // Ends as the node objects themselves (d3 would do it only for the ties that pull, see applyFilter).
      link.source = byId.get(link.source);
      link.target = byId.get(link.target);
      link.source.degree += 1;
      link.target.degree += 1;
      this.types_.add(link.type || "related");
    }
    for (const node of this.nodes) {
      node.radius = 3 + 9 * Math.sqrt(Math.max(0, node.strength || 0));
      node.colour = communityColour(node.community);
    }
    // Walked by the arrow keys from the strongest down; labelled from the most central down.
    this.order = [...this.nodes].sort((a, b) => (b.strength || 0) - (a.strength || 0));
    this.central = [...this.nodes].sort((a, b) => (b.centrality ?? b.degree) - (a.centrality ?? a.degree) || (b.strength || 0) - (a.strength || 0));
    const labelled = this.nodes.length <= 2 * LABELLED ? this.central : this.central.slice(0, LABELLED);
    for (const node of labelled) node.label = true;
    this.groups = communities.filter((c) => c.id < COMMUNITY_COLOURS.length && c.members.length >= 3).map((c) => ({
      name: c.name, members: c.members.map((id) => byId.get(id)).filter(Boolean),
    }));
    for (const group of this.groups) if (group.members[0]) group.members[0].label = true;
    if (this.options.centerId) {
      const center = byId.get(this.options.centerId);
      if (center) {
        center.fx = 0;
        center.fy = 0;
        center.label = true;
        center.colour = this.colours.text;
        center.radius = Math.max(center.radius, 9);
      }
    }
    this.colourGroups = [...new Set(this.nodes.map((n) => n.colour))];
    const strongest = this.allLinks.filter((l) => (l.weight || 0) >= WIDTHS[1][0]).sort((a, b) => b.weight - a.weight);
    for (const link of strongest.slice(0, WIDE)) link.wide = true;
    this.simulation.nodes(this.nodes);
    this.applyFilter();
    this.userMoved = false;
    this.recenter();
    this.simulation.alpha(1).restart();
  }

  /** Once settled, zoom so that every node is in view (never closer than 2.5×). */
  fit() {
    if (!this.nodes.length || this.width <= 1) return;
    const xs = this.nodes.map((n) => n.x);
    const ys = this.nodes.map((n) => n.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // Room for the labels to the right of the nodes, and a margin all round, in screen pixels.
    const k = Math.max(0.1, Math.min(4, (this.width - 180) / (x1 - x0 + 1), (this.height - 60) / (y1 - y0 + 1)));
    const t = this.d3.zoomIdentity.translate(this.width / 2 - (k * (x0 + x1)) / 2, this.height / 2 - (k * (y0 + y1)) / 2).scale(k);
    this.zoom.transform(this.d3.select(this.canvas), t);
  }

  /** The layout is centred on (0, 0): put that in the middle of the canvas. */
  recenter() {
    this.zoom.transform(this.d3.select(this.canvas), this.d3.zoomIdentity.translate(this.width / 2, this.height / 2));
  }

  types() {
    return [...this.types_];
  }

  setHiddenTypes(hidden) {
    this.hidden = new Set(hidden);
    this.applyFilter();
    this.simulation.alpha(0.4).restart();
  }

  applyFilter() {
    this.links = this.allLinks.filter((l) => !this.hidden.has(l.type || "related"));
    // Around one person, their own ties are drawn but do not pull: they would pack everyone into a ball
    // around them, where the ties among the others are what shows their circles apart.
    const center = this.options.centerId;
    this.simulation.force("link").links(center ? this.links.filter((l) => l.source.id !== center && l.target.id !== center) : this.links);
    this.simulation.force("charge").strength(this.nodes.length <= 80 ? -110 : -45);
  }

  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const wasEmpty = !(this.width > 1);
    this.width = Math.max(1, rect.width);
    this.height = Math.max(1, rect.height);
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.ratio = ratio;
    if (wasEmpty && this.width > 1) this.recenter();
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    const { ctx, transform: t, ratio } = this;
    this.frames += 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.setTransform(ratio * t.k, 0, 0, ratio * t.k, ratio * t.x, ratio * t.y);
    const focus = this.hover || this.pinned || this.order?.[this.focusIndex] || null;
    const near = focus ? this.neighbours(focus) : null;

    // Edges: one path of hairlines for the strong ties and one for the faint ones.
    ctx.strokeStyle = this.colours.low;
    ctx.lineWidth = 1 / t.k;
    for (const strong of [true, false]) {
      ctx.globalAlpha = (near ? 0.3 : 1) * (strong ? 0.6 : 0.3);
      ctx.beginPath();
      for (const l of this.links) {
        if ((l.weight || 0) >= WIDTHS[1][0] !== strong) continue;
        const lines = l.wide ? WIDTHS.find(([least]) => l.weight >= least)[1] : 1;
        if (lines === 1) {
          ctx.moveTo(l.source.x, l.source.y);
          ctx.lineTo(l.target.x, l.target.y);
          continue;
        }
        // Parallel strokes a screen pixel apart, across the tie.
        const dx = l.target.x - l.source.x;
        const dy = l.target.y - l.source.y;
        const unit = t.k * Math.hypot(dx, dy) || 1;
        for (let i = 0; i < lines; i += 1) {
          const shift = i - (lines - 1) / 2;
          const ox = (-dy / unit) * shift;
          const oy = (dx / unit) * shift;
          ctx.moveTo(l.source.x + ox, l.source.y + oy);
          ctx.lineTo(l.target.x + ox, l.target.y + oy);
        }
      }
      ctx.stroke();
    }
    if (near) {
      ctx.globalAlpha = 0.9;
      ctx.strokeStyle = this.colours.text;
      for (const l of this.links) {
        if (l.source !== focus && l.target !== focus) continue;
        ctx.lineWidth = (WIDTHS.find(([least]) => (l.weight || 0) >= least)[1] * 0.8) / t.k;
        ctx.beginPath();
        ctx.moveTo(l.source.x, l.source.y);
        ctx.lineTo(l.target.x, l.target.y);
        ctx.stroke();
      }
    }

    // Nodes: one path per community colour.
    ctx.globalAlpha = near ? 0.3 : 1;
    for (const colour of this.colourGroups) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (const n of this.nodes) {
        if (n.colour !== colour) continue;
        ctx.moveTo(n.x + n.radius, n.y);
        ctx.arc(n.x, n.y, n.radius, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    if (near) {
      ctx.globalAlpha = 1;
      for (const n of near) {
        ctx.fillStyle = n.colour;
        ctx.beginPath();
        ctx.arc(n.x, n.y, n.radius, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.strokeStyle = this.colours.text;
      ctx.lineWidth = 2 / t.k;
      ctx.beginPath();
      ctx.arc(focus.x, focus.y, focus.radius + 3 / t.k, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    this.drawLabels(focus, near);
  }

  /** Labels in screen pixels, most important first, each only where no earlier one is (canvas text, never markup). */
  drawLabels(focus, near) {
    const { ctx, transform: t, ratio } = this;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_FONT;
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = this.colours.panel;
    ctx.fillStyle = this.colours.text;
    const central = this.central || [];
    const wanted = near
      ? [focus, ...[...near].filter((n) => n !== focus).sort((a, b) => (b.centrality ?? 0) - (a.centrality ?? 0))]
      : t.k > 2 ? central : central.filter((n) => n.label);
    const placed = [];
    if (!near && this.groups?.length > 1) this.drawGroupNames(placed);
    ctx.font = LABEL_FONT;
    ctx.lineWidth = 3;
    for (const n of wanted) {
      if (!n.name) continue;
      const x = t.x + t.k * n.x + n.radius * t.k + 4;
      const y = t.y + t.k * n.y;
      if (x > this.width || y < -8 || y > this.height + 8 || x < -200) continue;
      let width = this.labelWidths.get(n.name);
      if (width === undefined) {
        width = ctx.measureText(n.name).width;
        this.labelWidths.set(n.name, width);
      }
      const box = [x - 2, y - 8, x + width + 2, y + 8];
      if (n !== focus && placed.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3])) continue;
      placed.push(box);
      ctx.strokeText(n.name, x, y);
      ctx.fillText(n.name, x, y);
      if (placed.length >= 150) break;
    }
    this.labelled = placed.length;
  }

  /** Each community's name over the middle of its members, in its own colour. */
  drawGroupNames(placed) {
    const { ctx, transform: t } = this;
    ctx.font = `600 ${GROUP_FONT}`;
    ctx.lineWidth = 4;
    for (const group of this.groups) {
      if (!group.members.length) continue;
      const x = t.x + t.k * (group.members.reduce((sum, n) => sum + n.x, 0) / group.members.length);
      const y = t.y + t.k * (group.members.reduce((sum, n) => sum + n.y, 0) / group.members.length);
      const width = ctx.measureText(group.name).width;
      const box = [x - width / 2 - 2, y - 9, x + width / 2 + 2, y + 9];
      if (placed.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3])) continue;
      placed.push(box);
      ctx.fillStyle = group.members[0].colour;
      ctx.strokeText(group.name, x - width / 2, y);
      ctx.fillText(group.name, x - width / 2, y);
    }
    ctx.fillStyle = this.colours.text;
  }

  /** Hold the highlight on one person and bring them to the middle (the search box uses it). */
  focusOn(id) {
    const node = this.byId?.get(id) || null;
    this.pinned = node;
    if (node) {
      const k = Math.max(this.transform.k, 1.5);
      const target = this.d3.zoomIdentity.translate(this.width / 2 - k * node.x, this.height / 2 - k * node.y).scale(k);
      this.userMoved = true;
      this.zoom.transform(this.d3.select(this.canvas), target);
    }
    this.schedule();
    return node;
  }

  neighbours(node) {
    const found = new Set([node]);
    for (const l of this.links) {
      if (l.source === node) found.add(l.target);
      else if (l.target === node) found.add(l.source);
    }
    return found;
  }

  /** Graph coordinates of a pointer event. */
  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    const [x, y] = this.transform.invert([event.clientX - rect.left, event.clientY - rect.top]);
    return { x, y };
  }

  nodeAt(event) {
    const { x, y } = this.point(event);
    const hit = this.simulation.find(x, y, 14 / this.transform.k + 12);
    return hit || null;
  }

  /** Where a node is drawn, in client pixels (tests and keyboard focus use it). */
  screenPosition(id) {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) return null;
    const rect = this.canvas.getBoundingClientRect();
    const [x, y] = this.transform.apply([node.x, node.y]);
    return { x: rect.left + x, y: rect.top + y };
  }

  onClick(event) {
    const node = this.nodeAt(event);
    if (node) this.options.onOpen(node.id);
  }

  onMove(event) {
    const node = this.nodeAt(event);
    this.canvas.style.cursor = node ? "pointer" : "grab";
    this.setHover(node, event);
  }

  setHover(node, event) {
    if (node === this.hover) {
      if (node && event) this.options.onHover?.(node, event);
      return;
    }
    this.hover = node;
    this.options.onHover?.(node, event);
    this.schedule();
  }

  /** Arrow keys walk the people from strongest down, Enter opens, + and - zoom, 0 resets. */
  onKey(event) {
    const sel = this.d3.select(this.canvas);
    if (event.key === "ArrowRight" || event.key === "ArrowDown") this.moveFocus(1);
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") this.moveFocus(-1);
    else if (event.key === "Enter" && this.order?.[this.focusIndex]) this.options.onOpen(this.order[this.focusIndex].id);
    else if (event.key === "+" || event.key === "=") this.zoom.scaleBy(sel, 1.3);
    else if (event.key === "-") this.zoom.scaleBy(sel, 1 / 1.3);
    else if (event.key === "0") this.recenter();
    else if (event.key === "Escape" && this.pinned) this.focusOn(null);
    else return;
    event.preventDefault();
  }

  moveFocus(step) {
    if (!this.order?.length) return;
    this.focusIndex = (this.focusIndex + step + this.order.length) % this.order.length;
    this.options.onFocus?.(this.order[this.focusIndex]);
    this.schedule();
  }

  stop() {
    this.simulation.stop();
  }

  destroy() {
    this.simulation.stop();
    this.resizer.disconnect();
    cancelAnimationFrame(this.frame);
    for (const [type, fn] of this.listeners) this.canvas.removeEventListener(type, fn);
    this.d3.select(this.canvas).on(".zoom", null);
  }
}
