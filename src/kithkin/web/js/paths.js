// "How you know them": the strongest chains of people from the user to a person, each hop in words.

import { api } from "./api.js";
import { fill, h, skeleton } from "./dom.js";

/** A section that fills itself with the person's introduction paths. */
export function pathsSection(person) {
  const body = h("div", { id: "paths" }, skeleton(2));
  const section = h("div", { class: "section" }, h("h3", {}, "How you know them"), body);
  api(`/people/${encodeURIComponent(person.id)}/paths`).then((answer) => {
    if (!answer.items.length) {
      fill(body, h("p", { class: "muted small" }, "No one you know leads to them yet."));
      return;
    }
    fill(body, h("ol", { class: "paths" }, answer.items.map((path) => h("li", {},
      h("div", { class: "path-people" },
        h("span", { class: "muted" }, "You"),
        path.people.map((p) => [" → ", p.id === person.id ? h("b", {}, p.canonical_name)
          : h("a", { href: `#/people/${encodeURIComponent(p.id)}` }, p.canonical_name)]),
        h("span", { class: "muted small" }, ` · ${Math.round(path.score * 100)}%`)),
      h("ul", { class: "path-hops muted small" }, path.hops.map((hop) => h("li", {}, hop.words)))))));
  }).catch((error) => fill(body, h("p", { class: "muted small" }, `The paths could not be read: ${error.message}`)));
  return section;
}
