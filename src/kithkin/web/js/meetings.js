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
      h("div", { class: "muted small" }, formatDate(m.occurred_at || m.start || m.starts_at, true)),
      h("div", { class: "muted small" }, plural(m.attendee_count ?? m.attendees?.length ?? m.participant_count ?? 0, "attendee")));
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
    const attendees = brief.attendees || brief.items || [];
    fill(panel,
      h("h2", {}, brief.title || meeting.title || "Untitled meeting"),
      h("p", { class: "muted" }, formatDate(brief.occurred_at || brief.start || meeting.occurred_at || meeting.start, true),
        brief.context || meeting.context ? ` · ${brief.context || meeting.context}` : ""),
      attendees.length ? attendees.map(attendee) : h("p", { class: "muted" }, "No other attendees known."));
  } catch (error) {
    fill(panel, errorBox(error.message, () => showBrief(panel, meeting)));
  }
}

function attendee(a) {
  const person = a.person || a;
  const id = person.id ?? a.person_id;
  const name = person.canonical_name ?? a.name ?? a.observed_name ?? a.email ?? "Unknown";
  const recent = a.recent_interactions || a.last_interactions || a.timeline || [];
  const shared = a.shared_contexts || a.common || [];
  return h("div", { class: "attendee" },
    h("div", { class: "attendee-head" }, avatar({ ...person, id, canonical_name: name }),
      h("div", {},
        id ? h("a", { href: `#/people/${encodeURIComponent(id)}` }, name) : h("strong", {}, name),
        h("div", { class: "muted small" }, [person.position, person.company].filter(Boolean).join(" at ") || a.email || "")),
      person.relationship_strength != null ? strengthBar(person.relationship_strength) : null,
      sourceBadges(person.sources)),
    h("p", { class: "small" },
      person.last_seen ? `Last in touch ${ago(person.last_seen)}` : "Never in touch before",
      person.interaction_count != null ? ` · ${plural(person.interaction_count, "interaction")}` : "",
      shared.length ? ` · shared: ${shared.slice(0, 5).join(", ")}` : ""),
    person.notes || a.notes ? h("p", { class: "small" }, h("strong", {}, "Your notes: "), person.notes || a.notes) : null,
    (a.talking_points || []).length ? h("ul", { class: "small" }, a.talking_points.map((t) => h("li", {}, t))) : null,
    recent.length
      ? h("ul", { class: "small timeline" }, recent.slice(0, 4).map((i) => h("li", { class: "event" }, sourceBadge(i.source_type),
        h("div", {}, h("div", { class: "when" }, formatDate(i.occurred_at)), h("div", {}, i.title || i.snippet || i.kind)))))
      : null);
}
