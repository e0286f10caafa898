// A force-directed relationship graph drawn on a canvas (SVG is too slow past a few hundred nodes):
// d3-force lays it out, d3-zoom pans and zooms, and each frame is one batched path per colour.

import { strengthLevel } from "./dom.js";

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

const TYPE_COLOURS = ["#00bcd4", "#7c4dff", "#ff7043", "#8bc34a", "#ec407a", "#ffca28", "#26a69a", "#5c6bc0"];

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export class ForceGraph {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onOpen(id): void, onFocus?(node): void, labels?: "all"|"auto", centerId?: string}} options
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
    this.typeColour = new Map();
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

  /** nodes: [{id, name, strength}], links: [{source, target, type, weight}] (ids). */
  setData(nodes, links) {
    const known = new Set(nodes.map((n) => n.id));
    this.nodes = nodes.map((n) => ({ ...n, degree: 0 }));
    this.allLinks = links.filter((l) => known.has(l.source) && known.has(l.target)).map((l) => ({ ...l }));
    const byId = new Map(this.nodes.map((n) => [n.id, n]));
    for (const link of this.allLinks) {
      byId.get(link.source).degree += 1;
      byId.get(link.target).degree += 1;
      const type = link.type || "related";
      if (!this.typeColour.has(type)) this.typeColour.set(type, TYPE_COLOURS[this.typeColour.size % TYPE_COLOURS.length]);
    }
    for (const node of this.nodes) node.radius = 3 + 9 * Math.sqrt(Math.max(0, node.strength || 0));
    // Labels for the strongest few, so the picture reads without hovering.
    const ranked = [...this.nodes].sort((a, b) => (b.strength || 0) - (a.strength || 0));
    this.order = ranked;
    const labelled = this.options.labels === "all" ? ranked : ranked.slice(0, 25);
    for (const node of labelled) node.label = true;
    if (this.options.centerId) {
      const center = byId.get(this.options.centerId);
      if (center) {
        center.fx = 0;
        center.fy = 0;
        center.label = true;
      }
    }
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
    const pad = 80;
    const k = Math.min(2.5, this.width / (x1 - x0 + 2 * pad), this.height / (y1 - y0 + 2 * pad));
    const t = this.d3.zoomIdentity.translate(this.width / 2 - (k * (x0 + x1)) / 2, this.height / 2 - (k * (y0 + y1)) / 2).scale(k);
    this.zoom.transform(this.d3.select(this.canvas), t);
  }

  /** The layout is centred on (0, 0): put that in the middle of the canvas. */
  recenter() {
    this.zoom.transform(this.d3.select(this.canvas), this.d3.zoomIdentity.translate(this.width / 2, this.height / 2));
  }

  types() {
    return [...this.typeColour.entries()];
  }

  setHiddenTypes(hidden) {
    this.hidden = new Set(hidden);
    this.applyFilter();
    this.simulation.alpha(0.4).restart();
  }

  applyFilter() {
    this.links = this.allLinks.filter((l) => !this.hidden.has(l.type || "related"));
    this.simulation.force("link").links(this.links);
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
    const focus = this.hover || this.order?.[this.focusIndex] || null;
    const near = focus ? this.neighbours(focus) : null;

    // Edges: one path per relationship type.
    // One pixel: a hairline takes the software rasteriser's fast path (1.5 px measured at a third of the frame rate).
    ctx.lineWidth = 1 / t.k;
    const byType = new Map();
    for (const link of this.links) {
      const type = link.type || "related";
      if (!byType.has(type)) byType.set(type, []);
      byType.get(type).push(link);
    }
    for (const [type, links] of byType) {
      ctx.strokeStyle = this.typeColour.get(type);
      ctx.globalAlpha = near ? 0.12 : 0.45;
      ctx.beginPath();
      for (const l of links) {
        ctx.moveTo(l.source.x, l.source.y);
        ctx.lineTo(l.target.x, l.target.y);
      }
      ctx.stroke();
    }
    if (near) {
      ctx.globalAlpha = 0.9;
      ctx.strokeStyle = this.colours.people;
      ctx.lineWidth = 2 / t.k;
      ctx.beginPath();
      for (const l of this.links) {
        if (l.source === focus || l.target === focus) {
          ctx.moveTo(l.source.x, l.source.y);
          ctx.lineTo(l.target.x, l.target.y);
        }
      }
      ctx.stroke();
    }

    // Nodes: one path per strength level.
    for (const level of ["low", "medium", "high"]) {
      ctx.fillStyle = this.colours[level];
      ctx.beginPath();
      for (const n of this.nodes) {
        if (strengthLevel(n.strength || 0) !== level) continue;
        ctx.moveTo(n.x + n.radius, n.y);
        ctx.arc(n.x, n.y, n.radius, 0, 2 * Math.PI);
      }
      ctx.globalAlpha = near ? 0.35 : 1;
      ctx.fill();
    }
    if (near) {
      ctx.globalAlpha = 1;
      for (const n of near) {
        ctx.fillStyle = this.colours[strengthLevel(n.strength || 0)];
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

    // Labels, drawn as canvas text (never markup), with a halo for contrast.
    ctx.globalAlpha = 1;
    ctx.font = `${12 / t.k}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3 / t.k;
    ctx.strokeStyle = this.colours.panel;
    ctx.fillStyle = this.colours.text;
    for (const n of this.nodes) {
      const show = near ? near.has(n) : n.label || t.k > 2.5;
      if (!show || !n.name) continue;
      const x = n.x + n.radius + 3 / t.k;
      ctx.strokeText(n.name, x, n.y);
      ctx.fillText(n.name, x, n.y);
    }
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
