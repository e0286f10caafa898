// The person panel's Timeline (infinite scroll, filtered by source) and Connections (list + ego network).

import { api } from "./api.js";
import { avatar, errorBox, fill, formatDate, h, plural, skeleton, sourceBadge, sourceLabel, strengthBar } from "./dom.js";
import { renderEgo } from "./network.js";

const PAGE = 30;
const KIND_WORDS = { message: "Message", email: "Email", meeting: "Meeting", call: "Call", note: "Note" };

export class Timeline {
  /** @param {HTMLElement} root the tab panel; @param {HTMLElement} scroller its scrolling ancestor */
  constructor(root, scroller, person, { start = null } = {}) {
    this.root = root;
    this.scroller = scroller;
    this.person = person;
    this.start = start; // a cursor: the timeline begins at a conversation search found, not at the newest
    this.source = "";
    this.list = h("ol", { class: "timeline", "aria-label": "Interactions, newest first" });
    this.sentinel = h("div", { class: "sentinel" });
    this.status = h("div", { role: "status", "aria-live": "polite" });
    const select = h(
      "select",
      { id: "timeline-source", onchange: (event) => { this.start = null; this.reset(event.target.value); } },
      h("option", { value: "" }, "All sources"),
      (person.sources || []).map((s) => h("option", { value: s }, sourceLabel(s))),
    );
    fill(
      root,
      h("div", { class: "timeline-tools" }, h("label", { class: "row" }, "Source", select),
        start ? h("button", { type: "button", class: "btn small", onclick: (event) => { event.target.remove(); this.start = null; this.reset(this.source); } }, "Show the newest") : null),
      this.list,
      this.status,
      this.sentinel,
    );
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.more();
    }, { root: scroller, rootMargin: "400px" });
    this.observer.observe(this.sentinel);
    this.reset("");
  }

  reset(source) {
    this.source = source;
    this.cursor = this.start;
    this.done = false;
    this.loading = null;
    this.seen = new Set();
    this.generation = (this.generation || 0) + 1;
    this.list.replaceChildren();
    this.more();
  }

  more() {
    if (this.done || this.loading) return this.loading;
    const generation = this.generation;
    fill(this.status, skeleton(3));
    this.loading = api(`/people/${encodeURIComponent(this.person.id)}/timeline`, {
      params: { source: this.source, before: this.cursor, limit: PAGE },
    })
      .then((body) => {
        if (generation !== this.generation) return;
        const first = this.seen.size === 0;
        for (const item of body.items) {
          if (this.seen.has(item.id)) continue;
          this.seen.add(item.id);
          this.list.appendChild(this.event(item));
        }
        if (first && this.start) this.list.firstElementChild?.classList.add("found");
        this.cursor = body.next_cursor;
        this.done = !this.cursor;
        this.status.replaceChildren();
        if (this.done) {
          const count = this.list.childElementCount;
          this.status.appendChild(h("p", { class: "muted small" }, count ? `${plural(count, "interaction")} shown; that is all.` : "No interactions recorded with this person yet."));
        }
      })
      .catch((error) => {
        if (generation !== this.generation) return;
        this.done = true;
        fill(this.status, errorBox(error.message, () => { this.done = false; this.more(); }));
      })
      .finally(() => {
        if (generation !== this.generation) return;
        this.loading = null;
        // A short first page may leave the sentinel in view: keep going until it is not.
        if (!this.done && this.sentinelVisible()) this.more();
      });
    return this.loading;
  }

  sentinelVisible() {
    const box = this.sentinel.getBoundingClientRect();
    const view = this.scroller.getBoundingClientRect();
    return box.top < view.bottom + 400;
  }

  event(item) {
    const direction = item.direction === "out" ? "sent" : item.direction === "in" ? "received" : "";
    const people = (item.participants || [])
      // The others: not this person, and not the owner (whose entities are linked to nobody).
      .filter((p) => p.canonical_person_id && p.canonical_person_id !== this.person.id)
      .map((p) => p.canonical_name || p.observed_name || p.observed_email || p.observed_phone)
      .filter(Boolean);
    return h(
      "li",
      { class: "event", dataset: { kind: item.kind || "" } },
      sourceBadge(item.source_type),
      h("div", {},
        h("div", { class: "when" }, formatDate(item.occurred_at, true), " · ", KIND_WORDS[item.kind] || item.kind || "",
          direction ? h("span", { class: "dir" }, ` · ${direction}`) : null),
        item.title ? h("div", { class: "title" }, item.title) : null,
        item.snippet ? h("div", { class: "snippet" }, item.snippet) : null),
      item.context || people.length
        ? h("div", { class: "meta" }, [item.context, people.slice(0, 6).join(", ")].filter(Boolean).join(" · "))
        : null,
    );
  }

  destroy() {
    this.observer.disconnect();
    this.generation += 1;
  }
}

/** Connections: the related people with their overlap, and the ego network they form. */
export async function renderConnections(root, person, onOpen) {
  fill(root, skeleton(4));
  let body;
  try {
    body = await api(`/people/${encodeURIComponent(person.id)}/connections`);
  } catch (error) {
    fill(root, errorBox(error.message, () => renderConnections(root, person, onOpen)));
    return null;
  }
  const connections = body.items.map((c) => ({
    id: c.person_id,
    name: c.person_name,
    score: c.overlap_score,
    type: c.relationship_type || "related",
    contexts: c.shared_contexts,
  }));
  if (!connections.length) {
    fill(root, h("p", { class: "empty" }, "No connections yet: they appear when people share threads, meetings or groups with this person."));
    return null;
  }
  const shown = body.total > connections.length ? ` (the closest ${connections.length})` : "";
  const ego = h("div", { class: "ego" });
  fill(
    root,
    ego,
    h("div", { class: "section" }, h("h3", {}, plural(body.total, "connection"), shown),
      h("ul", { class: "connections" }, connections.map((c) => h(
        "li", {},
        avatar({ id: c.id, canonical_name: c.name }, "tiny"),
        h("div", {},
          h("a", { href: `#/people/${encodeURIComponent(c.id)}` }, c.name),
          h("div", { class: "muted small" }, [c.type.replace(/_/g, " "), ...c.contexts.slice(0, 3)].join(" · "))),
        strengthBar(c.score),
      )))),
  );
  return renderEgo(ego, person, onOpen);
}
