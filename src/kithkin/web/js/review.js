// Reviewing proposed links, one at a time: the source entity beside the proposed person, the
// evidence and the alternatives; c confirms, r rejects, n rejects into a new person, j/k move.

import { api } from "./api.js";
import { avatar, errorBox, fill, formatDate, h, plural, skeleton, sourceBadge, sourceBadges, strengthBar, toast } from "./dom.js";

const fold = (word) => word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** A name with the words the other name lacks marked (accents and case aside): what differs at a glance. */
function nameDiff(name, other) {
  const theirs = new Set((String(other || "").match(/[\p{L}\p{N}]+/gu) || []).map(fold));
  return String(name || "").split(/([\p{L}\p{N}]+)/u).map((part, i) =>
    i % 2 === 1 && !theirs.has(fold(part)) ? h("mark", { class: "differs" }, part) : part);
}

// A card's date is when the card was saved or exported, not when the person was first in touch.
const CARD_SOURCES = new Set(["contacts", "carddav", "linkedin"]);

const REASONS = {
  name_match: "The same name, and no address or number that disagrees.",
  email_match: "The same email address, under a different name.",
  phone_match: "The same phone number, under a different name.",
};

export class ReviewDialog {
  /** hooks: onDecided() after each confirm/reject (to refresh counts and the list) */
  constructor(dialog, hooks) {
    this.dialog = dialog;
    this.hooks = hooks;
    this.items = [];
    this.index = 0;
    this.busy = false;
    dialog.addEventListener("keydown", (event) => this.onKey(event));
    dialog.addEventListener("close", () => dialog.replaceChildren());
    // Following a link to a person leaves the review so the person panel is in view.
    dialog.addEventListener("click", (event) => {
      if (event.target.closest?.('a[href^="#/"]')) dialog.close();
    });
  }

  /** Open on the given links, or on every pending link when none are given. */
  async open(links) {
    this.showingHistory = false;
    this.lastConfirmed = null;
    this.index = 0;
    this.frame(skeleton(6));
    if (!this.dialog.open) this.dialog.showModal();
    this.given = Boolean(links?.length);
    if (this.given) {
      this.items = [...links];
      this.total = links.length;
      this.render();
      return;
    }
    try {
      const body = await api("/pending-links", { params: { limit: 200 } });
      this.items = body.items;
      this.total = body.total;
      this.render();
    } catch (error) {
      this.frame(errorBox(error.message, () => this.open()));
    }
  }

  frame(content, actions = null, title = "Review proposed links") {
    const reviewing = title !== HISTORY_TITLE;
    fill(
      this.dialog,
      h("div", { class: "modal-head" },
        h("h2", { id: "review-title" }, title),
        h("div", { class: "row" },
          h("button", {
            type: "button", class: "btn small", id: "history-toggle",
            onclick: () => (reviewing ? this.history() : this.open(this.given ? this.items : undefined)),
          }, reviewing ? "History" : "Back to review"),
          h("button", { type: "button", class: "btn small", "aria-label": "Close review", onclick: () => this.dialog.close() }, "✕"))),
      h("div", { class: "modal-body", id: "review-body" }, content),
      actions,
    );
  }

  /** Every decision, newest first — the user's and the joins Kithkin made — each with its undo. */
  async history() {
    this.showingHistory = true;  // the review keys must not decide links that are out of sight
    this.frame(skeleton(6), null, HISTORY_TITLE);
    try {
      const body = await api("/decisions", { params: { limit: 100 } });
      const items = body.items.map((decision) => h("li", { class: "decision", dataset: { decision: String(decision.id) } },
        h("div", {}, describe(decision)),
        h("div", { class: "muted small" }, decision.decided_by === "system" ? "Kithkin" : "You", " · ",
          formatDate(decision.decided_at, true), decision.undone_at ? ` · undone ${formatDate(decision.undone_at, true)}` : ""),
        decision.undone_at || decision.action === "undo"
          ? null
          : h("button", { type: "button", class: "btn small", onclick: () => this.undo(decision) }, "Undo")));
      this.frame(items.length
        ? h("div", {}, h("p", { class: "muted small" }, `${plural(body.total, "decision")}. Undo puts the links back exactly as they were.`),
          h("ul", { class: "decisions" }, items))
        : h("p", { class: "empty" }, "No decisions yet."), null, HISTORY_TITLE);
    } catch (error) {
      this.frame(errorBox(error.message, () => this.history()), null, HISTORY_TITLE);
    }
  }

  async undo(decision) {
    if (this.busy) return;
    this.busy = true;
    try {
      await api(`/decisions/${decision.id}/undo`, { method: "POST", json: {} });
      toast(`Undone: ${describe(decision)}.`);
      this.hooks.onDecided();
      await this.history();
    } catch (error) {
      this.dialog.querySelector("#review-body")?.prepend(errorBox(error.message));
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (!this.items.length) {
      this.frame(h("div", {}, this.undoBar(), h("p", { class: "empty" }, "Nothing to review: every link is decided.")));
      this.dialog.querySelector(".modal-head button")?.focus();
      return;
    }
    this.index = Math.max(0, Math.min(this.index, this.items.length - 1));
    const link = this.items[this.index];
    const entity = link.source_entity || {};
    const person = link.proposed_person || {};
    const confidence = Math.round((link.confidence || 0) * 100);
    const button = (label, key, action, cls = "btn") =>
      h("button", { type: "button", class: cls, "aria-keyshortcuts": key, onclick: action }, label, " ", h("kbd", {}, key));
    const actions = h("div", { class: "modal-foot" },
      h("span", { class: "shortcuts" }, `${this.index + 1} of ${Math.max(this.total, this.items.length)}`),
      button("Previous", "k", () => this.move(-1)),
      button("Next", "j", () => this.move(1)),
      button("Reject as new person", "n", () => this.decide("reject", true)),
      button("Reject", "r", () => this.decide("reject", false), "btn danger"),
      button("Confirm", "c", () => this.decide("confirm"), "btn primary"));
    this.frame(
      h("div", { id: "review-item", dataset: { link: link.id } },
        this.undoBar(),
        h("div", { class: "compare" },
          h("section", { class: "box", "aria-label": "Source entity" },
            h("h3", {}, "Seen in ", sourceBadge(entity.source_type)),
            h("div", { class: "big", id: "entity-name" }, nameDiff(entity.observed_name || entity.observed_email || entity.observed_phone || entity.source_id || "unnamed", person.canonical_name)),
            h("dl", { class: "kv small" }, rows([
              ["Email", entity.observed_email], ["Phone", entity.observed_phone], ["Account", entity.account],
              ["Company", entity.metadata?.company], [CARD_SOURCES.has(entity.source_type) ? "Card dated" : "First seen", entity.observed_at && formatDate(entity.observed_at)],
              ["Interactions", link.interactions_affected != null ? String(link.interactions_affected) : null],
            ])),
            link.sample
              ? h("blockquote", { class: "sample small", id: "evidence-sample" },
                sourceBadge(link.sample.source_type), ` ${formatDate(link.sample.occurred_at)}: `,
                link.sample.title ? h("strong", {}, link.sample.title) : null,
                link.sample.title && link.sample.snippet ? " — " : null, link.sample.snippet || "")
              : null,
            link.previous_person
              ? h("p", { class: "small muted" }, "Now part of ",
                h("a", { href: `#/people/${encodeURIComponent(link.previous_person.id)}` }, link.previous_person.canonical_name),
                ` (${link.previous_person.interaction_count} interactions)`)
              : null),
          h("section", { class: "box", "aria-label": "Proposed person" },
            h("h3", {}, "Proposed person"),
            h("div", { class: "row" }, avatar(person), h("a", { class: "big", id: "proposed-name", href: `#/people/${encodeURIComponent(person.id || "")}` },
              nameDiff(person.display_name ?? person.canonical_name ?? "unknown", entity.observed_name || entity.observed_email || entity.observed_phone))),
            h("dl", { class: "kv small" }, rows([
              ["Emails", person.emails?.join(", ")], ["Phones", person.phone_numbers?.join(", ")],
              ["Company", person.company], ["Interactions", person.interaction_count != null ? String(person.interaction_count) : null],
              ["First seen", person.first_seen && formatDate(person.first_seen)],
            ])),
            sourceBadges(person.sources))),
        h("div", { class: "section" },
          h("h3", {}, "Why"),
          h("div", { class: "confidence" }, strengthBar(link.confidence || 0), `${confidence}% confident`),
          link.reason ? h("p", {}, REASONS[link.reason] || link.reason.replace(/_/g, " ")) : null,
          evidence(link.evidence)),
        alternatives(link.alternatives),
        h("p", { class: "shortcuts" }, "Keys: ", h("kbd", {}, "c"), " confirm · ", h("kbd", {}, "r"), " reject · ",
          h("kbd", {}, "n"), " reject as a new person · ", h("kbd", {}, "j"), "/", h("kbd", {}, "k"), " next/previous · ",
          h("kbd", {}, "Esc"), " close")),
      actions,
    );
    this.dialog.querySelector(".modal-foot .btn.primary")?.focus();
  }

  move(step) {
    if (!this.items.length) return;
    this.index = (this.index + step + this.items.length) % this.items.length;
    this.render();
  }

  /** After a confirmation: what was linked, and the way back. */
  undoBar() {
    const done = this.lastConfirmed;
    if (!done) return null;
    const person = done.link.proposed_person?.canonical_name || "the proposed person";
    return h("div", { class: "undo-bar", role: "status", id: "undo-bar" },
      `Linked ${done.name} to ${person}. `,
      h("button", { type: "button", class: "btn small", onclick: () => this.undoConfirm(done) }, "Undo"));
  }

  async undoConfirm(done) {
    if (this.busy) return;
    this.busy = true;
    try {
      const decisions = await api("/decisions", { params: { limit: 50 } });
      const decision = decisions.items.find((d) => d.pending_link_id === done.link.id && d.action === "confirm" && !d.undone_at);
      if (!decision) throw new Error("This confirmation is no longer in the decision history.");
      await api(`/decisions/${decision.id}/undo`, { method: "POST", json: {} });
      this.lastConfirmed = null;
      toast(`Undone: ${done.name} is proposed again.`);
      this.hooks.onDecided();
      this.busy = false;
      await this.open();
    } catch (error) {
      this.dialog.querySelector("#review-body")?.prepend(errorBox(error.message));
    } finally {
      this.busy = false;
    }
  }

  async decide(action, createNew = false) {
    const link = this.items[this.index];
    if (!link || this.busy) return;
    this.busy = true;
    try {
      await api(`/pending-links/${encodeURIComponent(link.id)}/${action}`, {
        method: "POST",
        json: action === "reject" ? { create_new_person: createNew } : {},
      });
      this.items.splice(this.index, 1);
      this.total -= 1;
      const name = link.source_entity?.observed_name || "the identity";
      this.lastConfirmed = action === "confirm" ? { link, name } : null;
      if (action !== "confirm") toast(createNew ? `${name} is now a person of their own.` : `Rejected the link for ${name}.`);
      this.hooks.onDecided();
      // The first page is done but more wait on the server: fetch the next ones.
      if (!this.items.length && this.total > 0 && !this.given) this.open();
      else this.render();
    } catch (error) {
      const body = this.dialog.querySelector("#review-body");
      body?.prepend(errorBox(error.message));
    } finally {
      this.busy = false;
    }
  }

  onKey(event) {
    if (event.target.matches?.("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = { c: () => this.decide("confirm"), r: () => this.decide("reject", false), n: () => this.decide("reject", true), j: () => this.move(1), k: () => this.move(-1) };
    const fn = keys[event.key];
    if (!fn || !this.items.length || this.showingHistory) return;
    event.preventDefault();
    fn();
  }
}

const HISTORY_TITLE = "Decision history";

/** One decision in words: names come from other people and only ever reach the page as text. */
function describe(d) {
  const who = d.observed_name || "an identity";
  const seen = d.source_type ? ` (${d.source_type})` : "";
  switch (d.action) {
    case "confirm": return `Linked ${who}${seen} to ${d.person_name || "a person"}`;
    case "reject": return `Refused ${who}${seen} as ${d.other_person_name || "that person"}`;
    case "reject_new": return `Refused ${who}${seen} as ${d.other_person_name || "that person"}, on a person of its own`;
    case "merge": return d.decided_by === "system"
      ? `Joined ${d.other_person_name || "a person"} into ${d.person_name || "a person"}: ${who}${seen} showed they are one`
      : `Merged ${d.other_person_name || "a person"} into ${d.person_name || "a person"}`;
    case "split": return `Split ${d.person_name || "a person"} off ${d.previous_person_name || "a person"}`;
    case "undo": return `Undid a ${d.payload?.action || "decision"}`;
    default: return d.action;
  }
}

function rows(pairs) {
  return pairs.filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]);
}

function evidence(data) {
  const entries = Object.entries(data || {});
  if (!entries.length) return null;
  const show = (v) => (typeof v === "string" ? v : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ") : JSON.stringify(v));
  return h("dl", { class: "kv small", "aria-label": "Evidence" }, entries.map(([k, v]) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, show(v))]));
}

function alternatives(list) {
  if (!list?.length) return null;
  return h("div", { class: "section" },
    h("h3", {}, `Other candidates (${list.length})`),
    h("ul", { class: "alternatives" }, list.map((alt) => {
      const id = alt.person_id;
      const name = alt.person?.canonical_name ?? id;
      const confidence = alt.confidence != null ? ` · ${Math.round(alt.confidence * 100)}%` : "";
      return h("li", {}, h("a", { href: `#/people/${encodeURIComponent(id || "")}` }, name),
        h("span", { class: "muted small" }, `${confidence}${alt.reason ? ` · ${alt.reason}` : ""}`));
    })));
}

/** How many links await review, for the header count. */
export async function pendingCount() {
  const body = await api("/pending-links", { params: { limit: 1 } });
  return body.total;
}

