// The search page: what the header box finds when Enter is pressed. Two groups, people (who match, and who
// talked about it) and conversations, every matching word marked. Arrow keys move through the results;
// Enter or a click opens the person's timeline at that conversation.

import { api } from "./api.js";
import { avatar, errorBox, fill, formatDate, h, plural, skeleton, sourceBadge } from "./dom.js";

const KIND_WORDS = { message: "message", email: "mail", meeting: "meeting", call: "call", note: "note" };

/** Spans from the API as text and <mark> nodes: the text is never parsed as HTML. */
export function marked(spans) {
  return spans.map((span) => (span.match ? h("mark", {}, span.text) : span.text));
}

/** Where a conversation opens: its person's timeline, starting at it. */
export function conversationHash(item) {
  if (!item.open) return null;
  return `#/search/${encodeURIComponent(item.open.person_id)}/${encodeURIComponent(item.open.before)}`;
}

export class SearchView {
  /** hooks: onBack() puts the focus back in the search box */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.query = null;
    this.generation = 0;
    root.addEventListener("keydown", (event) => this.keys(event));
  }

  async show(query) {
    query = query.trim();
    if (query === this.query) return;
    this.query = query;
    const generation = ++this.generation;
    if (!query) {
      fill(this.root, h("p", { class: "empty" }, "Type words in the search box and press Enter to search every conversation."));
      return;
    }
    fill(this.root, h("h2", {}, `Searching for “${query}”`), skeleton(6));
    try {
      const body = await api("/search", { params: { q: query, limit: 30 } });
      if (generation !== this.generation) return;
      this.render(body);
    } catch (error) {
      if (generation !== this.generation) return;
      fill(this.root, errorBox(error.message, () => { this.query = null; this.show(query); }));
    }
  }

  render(body) {
    const { people, conversations } = body;
    const more = conversations.counted_all ? "" : " or more";
    fill(
      this.root,
      h("h2", { id: "search-title" }, `Results for “${body.query}”`),
      h("p", { class: "muted small", role: "status" },
        `${plural(people.total, "person", "people")} · ${plural(conversations.total, "conversation")}${more}`),
      h("section", { class: "section", "aria-labelledby": "search-people" },
        h("h3", { id: "search-people" }, "People"),
        people.items.length
          ? h("ul", { class: "search-results", id: "search-people-list" }, people.items.map((p) => this.personRow(p)))
          : h("p", { class: "empty" }, "Nobody by that name, and nobody talked about it.")),
      h("section", { class: "section", "aria-labelledby": "search-conversations" },
        h("h3", { id: "search-conversations" }, "Conversations"),
        conversations.items.length
          ? h("ul", { class: "search-results", id: "search-conversation-list" }, conversations.items.map((c) => this.conversationRow(c)))
          : h("p", { class: "empty" }, "No conversation mentions it.")),
    );
  }

  personRow(person) {
    const why = person.match_count
      ? `${plural(person.match_count, "conversation")} about it, the last ${formatDate(person.last_match)}`
      : "matches by name";
    return h("li", { class: "search-person" },
      h("a", { class: "result", href: `#/search/${encodeURIComponent(person.id)}` },
        avatar(person, "tiny"),
        h("span", { class: "name" }, person.canonical_name),
        h("span", { class: "muted small" }, why)),
      person.snippets.length
        ? h("ul", { class: "search-snippets" }, person.snippets.map((c) => h("li", {},
          h("a", { class: "result", href: conversationHash(c) || `#/search/${encodeURIComponent(person.id)}` },
            h("span", { class: "muted small" }, formatDate(c.occurred_at), " "),
            marked(c.snippet_spans.length ? c.snippet_spans : c.title_spans)))))
        : null);
  }

  conversationRow(item) {
    const who = item.people.map((p) => p.name).join(", ") || "nobody known";
    const hash = conversationHash(item);
    return h("li", {},
      h(hash ? "a" : "div", { class: "result conversation", href: hash, dataset: { id: item.id } },
        sourceBadge(item.source_type),
        h("div", {},
          h("div", { class: "when" }, formatDate(item.occurred_at, true), " · ", KIND_WORDS[item.kind] || item.kind, " · ", who),
          item.title ? h("div", { class: "title" }, marked(item.title_spans)) : null,
          item.snippet_spans.length ? h("div", { class: "snippet" }, marked(item.snippet_spans)) : null)));
  }

  results() {
    return Array.from(this.root.querySelectorAll("a.result"));
  }

  /** Focus the first result; false when there is none. */
  focusFirst() {
    const [first] = this.results();
    first?.focus();
    return Boolean(first);
  }

  keys(event) {
    const results = this.results();
    const at = results.indexOf(document.activeElement);
    if (at < 0) return;
    let next = null;
    if (event.key === "ArrowDown") next = Math.min(at + 1, results.length - 1);
    else if (event.key === "ArrowUp") {
      if (at === 0) {
        event.preventDefault();
        this.hooks.onBack();
        return;
      }
      next = at - 1;
    } else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = results.length - 1;
    if (next === null) return;
    event.preventDefault();
    results[next].focus();
  }
}
