// Companies: who you know where (cards, LinkedIn, mapped email domains), and a page per company with its
// people, their role, strength and last contact.

import { api } from "./api.js";
import { ago, avatar, debounce, errorBox, fill, h, plural, skeleton, strengthBar } from "./dom.js";

export class CompaniesView {
  /** onOpen(personId) opens a person over the page. */
  constructor(section, { onOpen }) {
    this.section = section;
    this.onOpen = onOpen;
    this.built = false;
    this.chosen = null;
  }

  build() {
    this.built = true;
    this.filter = h("input", {
      type: "search", id: "company-filter", placeholder: "Filter companies or domains…", "aria-label": "Filter companies",
      oninput: debounce(() => this.load(), 200),
    });
    this.count = h("span", { class: "muted", role: "status", "aria-live": "polite" });
    this.list = h("ul", { class: "meeting-list company-list", "aria-label": "Companies" });
    this.page = h("section", { class: "panel", id: "company-page", "aria-live": "polite" });
    fill(this.section, h("div", {},
      h("h1", {}, "Who you know where"),
      h("div", { class: "row" }, this.filter, this.count),
      h("div", { class: "meetings" }, this.list, this.page)));
  }

  async show() {
    if (!this.built) this.build();
    await this.load();
  }

  async load() {
    fill(this.list, skeleton(5));
    let body;
    try {
      body = await api("/companies", { params: { q: this.filter.value.trim(), limit: 200 } });
    } catch (error) {
      fill(this.list, errorBox(error.message, () => this.load()));
      return;
    }
    this.count.textContent = plural(body.total, "company", "companies");
    if (!body.items.length) {
      fill(this.list, h("li", { class: "empty" }, this.filter.value.trim()
        ? "No company matches."
        : "No companies yet: they come from contact cards, LinkedIn and the email domains in crm_mappings.yaml."));
      this.page.replaceChildren();
      return;
    }
    const buttons = body.items.map((c) => {
      const button = h("button", { type: "button", "aria-pressed": String(c.id === this.chosen), dataset: { id: c.id } },
        h("strong", {}, c.name),
        h("div", { class: "muted small" }, `${plural(c.people_count, "person", "people")}${c.last_contact ? ` · last contact ${ago(c.last_contact)}` : ""}`),
        h("div", { class: "muted small" }, c.strongest.join(", ")));
      button.addEventListener("click", () => this.open(c.id));
      return h("li", {}, button);
    });
    fill(this.list, buttons);
    if (!body.items.some((c) => c.id === this.chosen)) this.open(body.items[0].id);
  }

  async open(id) {
    this.chosen = id;
    for (const b of this.list.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.id === id));
    fill(this.page, skeleton(6));
    try {
      const company = await api(`/companies/${encodeURIComponent(id)}`);
      if (this.chosen !== id) return;
      fill(this.page,
        h("h2", {}, company.name),
        h("p", { class: "muted" }, [
          plural(company.people_count, "person", "people") + " you know",
          company.domains.length ? `email at ${company.domains.join(", ")}` : null,
          company.last_contact ? `last contact ${ago(company.last_contact)}` : null,
        ].filter(Boolean).join(" · ")),
        h("ul", { class: "company-people" }, company.people.map((p) => h("li", {},
          avatar(p, "tiny"),
          h("div", {},
            h("a", { href: `#/companies/${encodeURIComponent(p.id)}`, onclick: (e) => { e.preventDefault(); this.onOpen(p.id); } }, p.canonical_name),
            h("div", { class: "muted small" }, [p.position, p.last_seen ? `last contact ${ago(p.last_seen)}` : "no contact yet",
              plural(p.interaction_count, "interaction")].filter(Boolean).join(" · ")),
            h("div", { class: "muted small" }, `Known from ${p.evidence.join(", ")}`)),
          strengthBar(p.relationship_strength)))));
    } catch (error) {
      fill(this.page, errorBox(error.message, () => this.open(id)));
    }
  }
}
