// The people list: one scroll container, a spacer as tall as every match, and only the cards in
// view (plus a margin) in the DOM. Pages of people are fetched as they scroll into view.

import { api } from "./api.js";
import { ago, avatar, errorBox, fill, h, plural, sourceBadges, strengthBar } from "./dom.js";
import { highlight } from "./highlight.js";

const PAGE = 100;
const OVERSCAN = 6;

export class PeopleList {
  /**
   * @param {HTMLElement} container the scrolling element
   * @param {{onOpen(id): void, onLoaded(total, items): void}} hooks
   */
  constructor(container, hooks) {
    this.container = container;
    this.hooks = hooks;
    this.spacer = h("div", { class: "vlist-spacer" });
    this.params = {};
    this.total = null;
    this.pages = new Map(); // page number → items, or a pending promise
    this.rows = new Map(); // index → rendered card
    this.generation = 0;
    this.selectedId = null;
    this.frame = 0;
    container.addEventListener("scroll", () => this.schedule(), { passive: true });
    container.addEventListener("keydown", (event) => this.onKey(event));
    new ResizeObserver(() => this.schedule()).observe(container);
  }

  rowHeight() {
    const value = parseFloat(getComputedStyle(this.container).getPropertyValue("--row"));
    return value > 0 ? value : 76;
  }

  /** Start over with new filters: the first page decides the total. */
  load(params) {
    this.params = params;
    this.generation += 1;
    this.pages.clear();
    this.rows.clear();
    this.total = null;
    this.container.scrollTop = 0;
    fill(this.container, this.spacer);
    this.spacer.replaceChildren();
    this.spacer.style.height = `${this.rowHeight() * 8}px`;
    this.renderPlaceholders();
    return this.fetchPage(0);
  }

  renderPlaceholders() {
    const row = this.rowHeight();
    for (let i = 0; i < 8; i += 1) this.spacer.appendChild(this.placeholder(i, row));
  }

  fetchPage(page) {
    if (this.pages.has(page)) return this.pages.get(page);
    const generation = this.generation;
    const promise = api("/people", { params: { ...this.params, limit: PAGE, offset: page * PAGE } })
      .then((body) => {
        if (generation !== this.generation) return;
        this.pages.set(page, body.items);
        if (this.total === null) {
          this.total = body.total;
          this.spacer.replaceChildren();
          this.hooks.onLoaded(body.total, body.items);
        }
        this.render();
      })
      .catch((error) => {
        if (generation !== this.generation) return;
        this.pages.delete(page);
        if (this.total === null) {
          this.spacer.style.height = "auto";
          fill(this.spacer, errorBox(error.message, () => this.load(this.params)));
          this.hooks.onLoaded(null, []);
        } else {
          this.hooks.onError?.(error);
        }
      });
    this.pages.set(page, promise);
    return promise;
  }

  item(index) {
    const page = this.pages.get(Math.floor(index / PAGE));
    return Array.isArray(page) ? page[index % PAGE] : undefined;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    if (this.total === null) return;
    const row = this.rowHeight();
    this.spacer.style.height = `${this.total * row}px`;
    if (this.total === 0) {
      const { q, category, source, pending, tag } = this.params;
      const filtered = q || category || source || pending || tag;
      const words = q
        ? `No one matches “${q}”.`
        : filtered ? "No people match these filters." : "No people yet: use Import to bring in your first source.";
      fill(this.spacer, h("p", { class: "empty" }, words));
      this.spacer.style.height = "auto";
      return;
    }
    const top = this.container.scrollTop;
    const height = this.container.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / row) - OVERSCAN);
    const last = Math.min(this.total - 1, Math.ceil((top + height) / row) + OVERSCAN);
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page += 1) this.fetchPage(page);
    for (const [index, el] of this.rows) {
      if (index < first || index > last) {
        el.remove();
        this.rows.delete(index);
      }
    }
    for (let index = first; index <= last; index += 1) {
      const person = this.item(index);
      const existing = this.rows.get(index);
      if (existing && (existing.dataset.id || "") === (person?.id || "")) continue;
      const card = person ? this.card(person, index, row) : this.placeholder(index, row);
      if (existing) existing.replaceWith(card);
      else this.spacer.appendChild(card);
      this.rows.set(index, card);
    }
  }

  placeholder(index, row) {
    const el = h(
      "div",
      { class: "card placeholder", "aria-hidden": "true" },
      h("span", { class: "avatar" }),
      h("span", { class: "card-name" }),
      h("span", { class: "card-side" }),
      h("span", { class: "card-sub" }),
    );
    el.style.transform = `translateY(${index * row}px)`;
    return el;
  }

  card(person, index, row) {
    const q = this.params.q;
    const work = [person.position, person.company].filter(Boolean).join(" · ") || person.emails?.[0] || person.phone_numbers?.[0];
    const contact = person.last_seen
      ? `${plural(person.interaction_count || 0, "interaction")}, last ${ago(person.last_seen)}`
      : "no contact yet";
    const strength = Math.round((person.relationship_strength || 0) * 100);
    const el = h(
      "a",
      {
        class: `card${person.id === this.selectedId ? " selected" : ""}`,
        href: `#/people/${encodeURIComponent(person.id)}`,
        dataset: { id: person.id, index: String(index) },
      },
      avatar(person.named === false ? { ...person, canonical_name: "?" } : person),
      h("span", { class: "card-name" }, highlight(person.display_name ?? person.canonical_name, q)),
      h("span", { class: "card-side" },
        h("span", { class: "card-strength", title: "Relationship strength" }, strengthBar(person.relationship_strength), `${strength}%`),
        sourceBadges(person.sources, this.maxBadges())),
      h("span", { class: "card-sub" },
        work ? [h("span", {}, highlight(work, q)), " · "] : null,
        h("span", { class: "card-contact" }, contact)),
    );
    el.style.transform = `translateY(${index * row}px)`;
    return el;
  }

  maxBadges() {
    return window.matchMedia("(max-width: 600px)").matches ? 3 : 6;
  }

  select(id) {
    this.selectedId = id;
    for (const el of this.rows.values()) el.classList.toggle("selected", el.dataset.id === id);
  }

  /** New data arrived: fetch the loaded pages again in place, keeping the scroll position; only the cards
   * whose person changed are drawn again (a focused card keeps its focus). */
  async refresh() {
    if (this.total === null) return;
    if (this.total === 0) return this.load(this.params); // nothing shown to keep in place
    const generation = ++this.generation;
    const held = [...this.pages].filter(([, items]) => Array.isArray(items));
    let fresh;
    try {
      fresh = await Promise.all(held.map(([page]) => api("/people", { params: { ...this.params, limit: PAGE, offset: page * PAGE } })));
    } catch {
      return; // the next change tries again; a dead server is reported by the next load
    }
    if (generation !== this.generation) return;
    const before = new Map(held);
    this.pages = new Map(held.map(([page], i) => [page, fresh[i].items]));
    if (fresh.length) {
      this.total = fresh[0].total;
      this.hooks.onLoaded(this.total, fresh[0].items);
    }
    for (const [index, el] of this.rows) {
      const was = before.get(Math.floor(index / PAGE))?.[index % PAGE];
      if (JSON.stringify(was) !== JSON.stringify(this.item(index))) {
        el.remove();
        this.rows.delete(index);
      }
    }
    this.render();
  }

  /** Replace one person's card data after an edit, wherever it is loaded. */
  update(person) {
    for (const [page, items] of this.pages) {
      if (!Array.isArray(items)) continue;
      const at = items.findIndex((p) => p.id === person.id);
      if (at >= 0) {
        items[at] = { ...items[at], ...person };
        const index = page * PAGE + at;
        this.rows.get(index)?.remove();
        this.rows.delete(index);
      }
    }
    this.render();
  }

  /** Arrow keys, Page Up/Down, Home and End move through the whole list, not just what is drawn. */
  onKey(event) {
    if (!this.total) return;
    const current = Number(document.activeElement?.dataset?.index ?? -1);
    const perPage = Math.max(1, Math.floor(this.container.clientHeight / this.rowHeight()) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: perPage, PageUp: -perPage, j: 1, k: -1 };
    let next;
    if (event.key in moves) next = Math.max(0, Math.min(this.total - 1, (current < 0 ? -1 : current) + moves[event.key]));
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = this.total - 1;
    else return;
    event.preventDefault();
    this.focusIndex(next);
  }

  focusIndex(index) {
    const row = this.rowHeight();
    const top = index * row;
    if (top < this.container.scrollTop) this.container.scrollTop = top;
    else if (top + row > this.container.scrollTop + this.container.clientHeight) {
      this.container.scrollTop = top + row - this.container.clientHeight;
    }
    this.render();
    const el = this.rows.get(index);
    if (el?.dataset.id) el.focus();
    else this.fetchPage(Math.floor(index / PAGE)).then(() => this.rows.get(index)?.focus());
  }
}
