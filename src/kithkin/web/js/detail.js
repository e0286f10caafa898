// The person panel: header (photo, name, company, title, edit), tabs Overview / Timeline /
// Connections, and the linked source entities with split and unlink.

import { Timeline, renderConnections } from "./activity.js";
import { api } from "./api.js";
import { pathsSection } from "./paths.js";
import {
  ago, append, avatar, errorBox, fill, formatDate, h, plural, safeUrl, skeleton, sourceBadge, sourceBadges, strengthBar, toast,
} from "./dom.js";

const TABS = [["overview", "Overview"], ["timeline", "Timeline"], ["connections", "Connections"]];

export class DetailPanel {
  /** hooks: onClose(), onChanged(person), onReview(links), onTag(tag) */
  constructor(aside, hooks) {
    this.aside = aside;
    this.hooks = hooks;
    this.person = null;
    this.tab = "overview";
    this.cleanup = [];
    this.generation = 0;
  }

  isOpen() {
    return !this.aside.hidden;
  }

  /** `at`: a timeline cursor; the timeline then begins at that moment (a conversation search found). */
  async open(id, { tab, at } = {}) {
    const generation = ++this.generation;
    if (tab) this.tab = tab;
    this.at = at || null;
    if (!this.isOpen()) {
      this.returnFocus = document.activeElement;
      this.aside.hidden = false;
      document.body.classList.add("detail-open");
      requestAnimationFrame(() => this.aside.classList.add("open"));
    }
    if (this.person?.id !== id) {
      this.teardown();
      this.person = null;
      fill(this.aside, this.closeBar(), h("div", { class: "detail-body" }, skeleton(2), skeleton(5)));
    }
    try {
      const person = await api(`/people/${encodeURIComponent(id)}`);
      if (generation !== this.generation) return;
      this.person = person;
      this.render();
    } catch (error) {
      if (generation !== this.generation) return;
      fill(this.aside, this.closeBar(), h("div", { class: "detail-body" }, errorBox(error.message, () => this.open(id))));
    }
  }

  /** New data arrived: show it, unless the user is busy here (editing, unsaved notes, typing). */
  refresh() {
    if (!this.person) return;
    const active = document.activeElement;
    const typing = this.aside.contains(active) && active.matches("input, textarea, select");
    if (typing || this.aside.querySelector("#edit-form, #save-notes:not([disabled])")) return;
    this.open(this.person.id);
  }

  close() {
    if (!this.isOpen()) return;
    this.generation += 1;
    this.teardown();
    this.person = null;
    this.aside.classList.remove("open");
    this.aside.hidden = true;
    document.body.classList.remove("detail-open");
    this.aside.replaceChildren();
    if (this.returnFocus?.isConnected) this.returnFocus.focus();
  }

  teardown() {
    for (const fn of this.cleanup) fn();
    this.cleanup = [];
  }

  closeBar() {
    return h("div", { class: "row end detail-closebar" },
      h("button", { type: "button", class: "btn small", "aria-label": "Close person", onclick: () => this.hooks.onClose() }, "✕"));
  }

  render() {
    this.teardown();
    const p = this.person;
    this.body = h("div", { class: "detail-body" });
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Person sections", onkeydown: (e) => this.tabKeys(e) },
      TABS.map(([key, label]) => h("button", {
        type: "button", role: "tab", id: `tab-${key}`, "aria-controls": "tab-panel",
        "aria-selected": String(key === this.tab), tabindex: key === this.tab ? "0" : "-1",
        onclick: () => this.showTab(key),
      }, label)));
    fill(this.aside, this.header(p), tablist, this.body);
    this.aside.setAttribute("aria-label", `Person: ${p.canonical_name}`);
    this.showTab(this.tab);
    this.aside.querySelector("h2")?.focus();
  }

  header(p) {
    const sub = [p.position, p.company].filter(Boolean).join(" at ");
    const unnamed = p.named === false;
    return h("div", { class: "detail-head" },
      avatar(unnamed ? { ...p, canonical_name: "?" } : p, "large"),
      h("div", {},
        h("h2", { id: "detail-name", tabindex: "-1" }, p.display_name ?? p.canonical_name),
        sub ? h("div", { class: "sub" }, sub) : null,
        unnamed
          ? h("div", { class: "sub", id: "name-them" }, "Known only by this number. ",
            h("button", { type: "button", class: "linklike", onclick: () => this.editForm() }, "Give them a name"))
          : null,
        h("div", { class: "row small muted" }, p.category && p.category !== "unknown" ? p.category : "no category",
          " · ", sourceBadges(p.sources))),
      h("div", { class: "tools" },
        h("button", { type: "button", class: "btn small", onclick: () => this.editForm() }, "Edit"),
        h("button", { type: "button", class: "btn small", "aria-label": "Close person", onclick: () => this.hooks.onClose() }, "✕")));
  }

  tabKeys(event) {
    const keys = TABS.map(([k]) => k);
    const at = keys.indexOf(this.tab);
    let next = null;
    if (event.key === "ArrowRight") next = keys[(at + 1) % keys.length];
    else if (event.key === "ArrowLeft") next = keys[(at - 1 + keys.length) % keys.length];
    if (!next) return;
    event.preventDefault();
    this.showTab(next);
    this.aside.querySelector(`#tab-${next}`)?.focus();
  }

  showTab(key) {
    this.teardown();
    this.tab = key;
    for (const tab of this.aside.querySelectorAll('[role="tab"]')) {
      const selected = tab.id === `tab-${key}`;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    const panel = h("div", { id: "tab-panel", role: "tabpanel", "aria-labelledby": `tab-${key}` });
    fill(this.body, panel);
    this.body.scrollTop = 0;
    if (key === "overview") this.overview(panel);
    else if (key === "timeline") {
      const timeline = new Timeline(panel, this.body, this.person, { start: this.at });
      this.at = null;
      this.cleanup.push(() => timeline.destroy());
    } else {
      const generation = this.generation;
      renderConnections(panel, this.person, (id) => { location.hash = `#/people/${encodeURIComponent(id)}`; }).then((graph) => {
        if (!graph) return;
        if (generation !== this.generation || this.tab !== "connections") graph.destroy();
        else this.cleanup.push(() => graph.destroy());
      });
    }
  }

  overview(panel) {
    const p = this.person;
    const linkedin = p.linkedin_url ? safeUrl(p.linkedin_url) : null;
    const contact = [
      ...p.emails.map((e) => ["Email", h("a", { href: `mailto:${e}` }, e)]),
      ...p.phone_numbers.map((n) => ["Phone", h("a", { href: `tel:${n}` }, n)]),
      p.linkedin_url ? ["LinkedIn", linkedin ? h("a", { href: linkedin, rel: "noopener noreferrer", target: "_blank" }, p.linkedin_url) : p.linkedin_url] : null,
      p.vault_contexts?.length ? ["Contexts", p.vault_contexts.join(", ")] : null,
      ["First seen", formatDate(p.first_seen)],
      ["Last seen", p.last_seen ? `${formatDate(p.last_seen)} (${ago(p.last_seen)})` : "never"],
      p.next_seen ? ["Next meeting", this.nextMeeting(p)] : null,
    ].filter(Boolean);
    const pending = p.pending_links || [];
    append(panel,
      pending.length
        ? h("div", { class: "section box" },
          h("p", {}, `${plural(pending.length, "proposed link")} for this person await review.`),
          h("button", { type: "button", class: "btn primary", onclick: () => this.hooks.onReview(pending) }, "Review them"))
        : null,
      h("div", { class: "section" }, h("h3", {}, "Metrics"),
        h("div", { class: "metrics" },
          metric(h("span", {}, strengthBar(p.relationship_strength), ` ${Math.round(p.relationship_strength * 100)}%`), "strength"),
          metric(p.interaction_count.toLocaleString(), "interactions"),
          metric((p.interactions_90d ?? 0).toLocaleString(), "in the last 90 days"),
          metric(p.source_entity_count.toLocaleString(), "linked identities"))),
      pathsSection(p),
      h("div", { class: "section" }, h("h3", {}, "Contact"),
        h("dl", { class: "kv" }, contact.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
      this.notesSection(),
      this.tagsSection(),
      this.entitiesSection(),
    );
  }

  /** What is next with the person (not contact yet): the date at once, its title when it arrives. */
  nextMeeting(p) {
    const cell = h("span", { id: "next-meeting" }, `${formatDate(p.next_seen)} (${ago(p.next_seen)})`);
    api(`/people/${encodeURIComponent(p.id)}/upcoming`, { params: { limit: 1 } }).then((body) => {
      const next = body.items[0];
      if (next?.title) cell.append(` · ${next.title}`);
    }).catch(() => {});
    return cell;
  }

  notesSection() {
    const p = this.person;
    const state = h("span", { class: "save-state", role: "status", "aria-live": "polite" });
    const area = h("textarea", { id: "notes", "aria-label": "Notes", placeholder: "What you want to remember about this person" });
    area.value = p.notes || "";
    const save = h("button", { type: "button", class: "btn primary", id: "save-notes", disabled: true }, "Save notes");
    area.addEventListener("input", () => {
      save.disabled = area.value === (this.person.notes || "");
      state.textContent = save.disabled ? "" : "Unsaved changes";
    });
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) save.click();
    });
    save.addEventListener("click", async () => {
      save.disabled = true;
      state.textContent = "Saving…";
      try {
        const updated = await this.patch({ notes: area.value });
        state.textContent = `Saved ${formatDate(updated.updated_at || new Date().toISOString(), true)}`;
      } catch (error) {
        save.disabled = false;
        state.textContent = `Not saved: ${error.message}`;
      }
    });
    return h("div", { class: "section" }, h("h3", {}, h("label", { for: "notes" }, "Notes")), area, h("div", { class: "row end" }, state, save));
  }

  tagsSection() {
    const wrap = h("div", { class: "tags", id: "tags" });
    const draw = () => {
      const input = h("input", { type: "text", "aria-label": "Add a tag", placeholder: "add tag…", id: "tag-input" });
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== ",") return;
        event.preventDefault();
        const tag = input.value.trim().replace(/,$/, "");
        if (!tag || this.person.tags.includes(tag)) return;
        this.saveTags([...this.person.tags, tag], draw);
      });
      fill(wrap,
        this.person.tags.map((tag) => h("span", { class: "tag" },
          h("button", { type: "button", class: "linklike", title: `Everyone tagged ${tag}`, onclick: () => this.hooks.onTag(tag) }, tag),
          h("button", { type: "button", "aria-label": `Remove tag ${tag}`, onclick: () => this.saveTags(this.person.tags.filter((t) => t !== tag), draw) }, "×"))),
        input);
      return input;
    };
    draw();
    return h("div", { class: "section" }, h("h3", {}, "Tags"), wrap);
  }

  async saveTags(tags, redraw) {
    try {
      await this.patch({ tags });
      redraw().focus();
    } catch (error) {
      toast(`The tags were not saved: ${error.message}`, "error");
    }
  }

  async patch(changes) {
    const updated = await api(`/people/${encodeURIComponent(this.person.id)}`, { method: "PATCH", json: changes });
    this.person = { ...this.person, ...updated };
    this.hooks.onChanged(updated);
    return updated;
  }

  entitiesSection() {
    const entities = this.person.source_entities || [];
    const chosen = new Set();
    const splitButton = h("button", { type: "button", class: "btn small", disabled: true }, "Split selected into a new person");
    const sync = () => {
      splitButton.disabled = chosen.size === 0 || chosen.size >= entities.length;
    };
    splitButton.addEventListener("click", () => this.split([...chosen]));
    const rows = entities.map((e) => {
      const box = h("input", { type: "checkbox", "aria-label": `Select ${e.observed_name || e.source_id}` });
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(e.id);
        else chosen.delete(e.id);
        sync();
      });
      const confidence = e.link_confidence == null ? "" : ` · ${Math.round(e.link_confidence * 100)}%`;
      return h("div", { class: "entity" },
        box,
        h("div", { class: "who" },
          h("div", {}, sourceBadge(e.source_type), " ", e.observed_name || e.observed_email || e.observed_phone || e.source_id),
          h("div", { class: "muted small" },
            [e.observed_email, e.observed_phone, e.account].filter(Boolean).join(" · "),
            h("div", {}, `${e.link_status || "linked"}${confidence} · seen ${formatDate(e.observed_at)}`))),
        entities.length > 1
          ? h("button", { type: "button", class: "btn small", onclick: () => this.split([e.id]) }, "Unlink")
          : null);
    });
    return h("details", { class: "section entities", id: "entities" },
      h("summary", {}, `Linked source entities (${entities.length})`),
      h("p", { class: "muted small" }, "Unlink moves one identity to a person of its own; select several to split them off together."),
      rows,
      entities.length > 1 ? h("div", { class: "row end" }, splitButton) : null);
  }

  async split(entityIds) {
    if (!window.confirm(`Move ${plural(entityIds.length, "identity", "identities")} to a new person?`)) return;
    try {
      const created = await api(`/people/${encodeURIComponent(this.person.id)}/split`, { method: "POST", json: { source_entity_ids: entityIds } });
      toast(`Moved to a new person: ${created.canonical_name}.`);
      this.hooks.onChanged(null);
      await this.open(this.person.id);
    } catch (error) {
      toast(`The split did not happen: ${error.message}`, "error");
    }
  }

  editForm() {
    const p = this.person;
    const field = (label, name, value) => h("label", { class: "field" }, label, h("input", { name, value: value || "" }));
    const results = h("ul", { class: "suggest", "aria-live": "polite" });
    const mergeInput = h("input", { type: "search", "aria-label": "Find a person to merge into this one", placeholder: "Search for the duplicate…" });
    let timer = 0;
    mergeInput.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = mergeInput.value.trim();
        if (!q) return results.replaceChildren();
        try {
          const body = await api("/people", { params: { q, limit: 6 } });
          fill(results, body.items.filter((o) => o.id !== p.id).map((o) => h("li", {},
            avatar(o, "tiny"), h("span", {}, o.canonical_name, h("span", { class: "muted small" }, ` ${o.emails[0] || o.company || ""}`)),
            h("button", { type: "button", class: "btn small", onclick: () => this.merge(o) }, "Merge into this person"))));
        } catch (error) {
          fill(results, h("li", {}, errorBox(error.message)));
        }
      }, 250);
    });
    const form = h("form", { class: "section", id: "edit-form" },
      field("Name", "canonical_name", p.named === false ? "" : p.canonical_name),
      field("Company", "company", p.company),
      field("Title", "position", p.position),
      field("Category", "category", p.category),
      h("div", { class: "row end" },
        h("button", { type: "button", class: "btn", onclick: () => this.render() }, "Cancel"),
        h("button", { type: "submit", class: "btn primary" }, "Save")),
      h("div", { class: "section" }, h("h3", {}, "Merge a duplicate into this person"), mergeInput, results));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const changes = {};
      for (const key of ["canonical_name", "company", "position", "category"]) {
        const value = String(data.get(key) || "").trim();
        if (value !== (p[key] || "") && (value || key === "company" || key === "position")) changes[key] = value || null;
      }
      try {
        if (Object.keys(changes).length) await this.patch(changes);
        this.render();
      } catch (error) {
        form.prepend(errorBox(error.message));
      }
    });
    this.teardown();
    fill(this.body, form);
    form.querySelector("input")?.focus();
  }

  async merge(other) {
    if (!window.confirm(`Merge ${other.canonical_name} into ${this.person.canonical_name}?`)) return;
    try {
      await api(`/people/${encodeURIComponent(this.person.id)}/merge`, { method: "POST", json: { other_id: other.id } });
      toast("Merged.");
      this.hooks.onChanged(null);
      await this.open(this.person.id);
    } catch (error) {
      toast(`The merge did not happen: ${error.message}`, "error");
    }
  }
}

function metric(value, label) {
  return h("div", { class: "metric" }, h("b", {}, value), h("span", {}, label));
}
