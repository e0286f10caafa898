// Meeting prep: upcoming meetings, and for the chosen one what you know about each attendee.

import { api } from "./api.js";
import { ago, avatar, errorBox, fill, formatDate, h, plural, skeleton, sourceBadge, sourceBadges, strengthBar } from "./dom.js";

export async function renderMeetings(section) {
  fill(section, h("div", { class: "meetings" }, skeleton(5), skeleton(8)));
  let meetings;
  try {
    const body = await api("/meetings/upcoming", { params: { limit: 50 } });
    meetings = body.items || [];
  } catch (error) {
    fill(section, h("div", {}, h("h1", {}, "Meeting prep"), errorBox(error.message, () => renderMeetings(section))));
    return;
  }
  if (!meetings.length) {
    fill(section, h("div", {}, h("h1", {}, "Meeting prep"),
      h("p", { class: "empty" }, "No upcoming meetings: import a calendar (.ics) or configure CalDAV to prepare for them here.")));
    return;
  }
  const brief = h("section", { class: "panel", id: "brief", "aria-live": "polite" });
  const buttons = [];
  const choose = (meeting, button) => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
    showBrief(brief, meeting);
  };
  const list = h("ul", { class: "meeting-list", "aria-label": "Upcoming meetings" }, meetings.map((m) => {
    const button = h("button", { type: "button", "aria-pressed": "false" },
      h("strong", {}, m.title || "Untitled meeting"),
      m.recurring ? h("span", { class: "series" }, ` · repeats, ${m.series_ahead} ahead`) : null,
      h("div", { class: "muted small" }, `${m.recurring ? "Next " : ""}${formatDate(m.occurred_at, true)} (${ago(m.occurred_at)})`),
      h("div", { class: "muted small" }, `${plural(m.attendee_count, "attendee")}: ${m.attendee_names.slice(0, 3).join(", ")}${m.attendee_count > 3 ? "…" : ""}`));
    button.addEventListener("click", () => choose(m, button));
    buttons.push(button);
    return h("li", {}, button);
  }));
  fill(section, h("div", {}, h("h1", {}, "Meeting prep"), h("div", { class: "meetings" }, list, brief)));
  choose(meetings[0], buttons[0]);
}

async function showBrief(panel, meeting) {
  fill(panel, skeleton(6));
  try {
    const brief = await api(`/meetings/${encodeURIComponent(meeting.id)}/brief`);
    fill(panel,
      h("h2", {}, brief.title || "Untitled meeting"),
      h("p", { class: "muted" }, formatDate(brief.occurred_at, true), brief.context ? ` · ${brief.context}` : ""),
      brief.attendees.length ? brief.attendees.map(attendee) : h("p", { class: "muted" }, "Nobody else is invited."));
  } catch (error) {
    fill(panel, errorBox(error.message, () => showBrief(panel, meeting)));
  }
}

function attendee(a) {
  const person = a.person;
  const recent = a.recent_interactions || [];
  const link = person ? h("a", { href: `#/people/${encodeURIComponent(person.id)}` }, a.name) : h("strong", {}, a.name);
  return h("div", { class: "attendee" },
    h("div", { class: "attendee-head" },
      avatar(person || { canonical_name: a.name, id: a.email }),
      h("div", {},
        link,
        h("div", { class: "muted small" }, [person?.position, person?.company].filter(Boolean).join(" at ") || a.email || "")),
      person ? strengthBar(person.relationship_strength) : null,
      person ? sourceBadges(person.sources, 4) : null),
    h("p", { class: "small" },
      a.known ? `Last in touch ${ago(a.last_contact)} · ${plural(person.interaction_count, "interaction")}` : h("strong", {}, "New: never in touch before this meeting."),
      a.connected_attendees?.length ? ` · knows ${a.connected_attendees.join(", ")}` : ""),
    a.how_you_know ? h("p", { class: "small how" }, a.how_you_know) : null,
    a.shared_people?.length ? h("p", { class: "small shared" }, "You both know ", a.shared_people.join(", "), ".") : null,
    person?.notes ? h("p", { class: "small" }, h("strong", {}, "Your notes: "), person.notes) : null,
    a.mentions?.length
      ? h("ul", { class: "small mentions", "aria-label": "Notes that mention them" }, a.mentions.map((m) => h("li", {},
        sourceBadge(m.source_type), " ", h("strong", {}, m.title || "Note"), ` (${formatDate(m.occurred_at)}): `, m.snippet || "")))
      : null,
    recent.length
      ? h("ul", { class: "small timeline" }, recent.map((i) => h("li", { class: "event" }, sourceBadge(i.source_type),
        h("div", {}, h("div", { class: "when" }, formatDate(i.occurred_at)), h("div", {}, i.title || i.snippet || i.kind)))))
      : null);
}
