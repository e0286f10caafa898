// The dashboard: figures, interactions by source and by month, the sources with their sync
// buttons, and people you may know.

import { api } from "./api.js";
import { ago, append, avatar, errorBox, fill, formatDate, h, plural, skeleton, sourceBadge, toast } from "./dom.js";
import { monthChart, seriesColour } from "./charts.js";
import { jobError, jobFailed, jobProgress, watchJob } from "./importer.js";

export async function renderDashboard(section, { onChanged }, { quiet = false } = {}) {
  if (!quiet) fill(section, h("div", {}, h("div", { class: "tiles" }, [1, 2, 3, 4].map(() => h("div", { class: "tile" }, skeleton(2)))), skeleton(6)));
  const [stats, sources, discover] = await Promise.allSettled([
    api("/statistics"),
    api("/sources"),
    api("/discover", { params: { limit: 12 } }),
  ]);
  const page = h("div", { id: "dashboard" });
  if (stats.status === "fulfilled") append(page, figures(stats.value));
  else page.append(errorBox(`The figures could not be loaded: ${stats.reason.message}`, () => renderDashboard(section, { onChanged })));
  page.append(sourcesPanel(sources, onChanged));
  page.append(discoverPanel(discover));
  fill(section, page);
}

/** New data arrived: the dashboard again in place (figures, sources' states), unless a sync started here runs. */
export function refreshDashboard(section, hooks) {
  if (section.querySelector("#dashboard") && !section.querySelector("#sources button:disabled")) {
    renderDashboard(section, hooks, { quiet: true });
  }
}

function figures(s) {
  const tiles = [
    [s.people, "people"], [s.interactions, "interactions"], [s.source_entities, "identities"],
    [s.relationships, "relationships"], [s.pending_links, "links to review"],
  ];
  const bySource = Object.entries(s.interactions_by_source || {}).sort((a, b) => b[1] - a[1]);
  const peak = Math.max(1, ...bySource.map(([, n]) => n));
  // Meetings ahead are in the data but are not contact yet: the chart stops at the current month.
  const thisMonth = new Date().toISOString().slice(0, 7);
  const months = (s.interactions_by_month || []).filter((m) => m.month <= thisMonth).slice(-36);
  // (the chart shows the months between these too, at zero)
  return [
    h("div", { class: "tiles" }, tiles.map(([n, label]) => h("div", { class: "tile" }, h("b", {}, Number(n || 0).toLocaleString()), h("span", {}, label)))),
    h("section", { class: "panel" }, h("h2", {}, "Interactions by source"),
      bySource.length
        ? h("div", { class: "bars" }, bySource.map(([source, n]) => {
          const bar = h("span", { class: "bar", dataset: { source } });
          bar.style.setProperty("--value", `${(100 * n) / peak}%`);
          bar.style.background = seriesColour(source);
          return [sourceBadge(source), bar, h("span", { class: "small" }, n.toLocaleString())];
        }))
        : h("p", { class: "muted" }, "No interactions yet: import a source to begin.")),
    months.length
      ? h("section", { class: "panel", id: "months" }, h("h2", {}, `Interactions per month (${months[0].month} to ${months[months.length - 1].month})`),
        monthChart(months, thisMonth))
      : null,
  ];
}

function sourcesPanel(result, onChanged) {
  const panel = h("section", { class: "panel", id: "sources" }, h("h2", {}, "Sources"));
  if (result.status === "rejected") {
    panel.append(errorBox(`The sources could not be loaded: ${result.reason.message}`));
    return panel;
  }
  // Every kind Kithkin knows is listed by the server; show those in use or set up.
  const items = result.value.items.filter((s) => s.source_entities || s.interactions || s.configured.length || s.last_sync_at);
  if (!items.length) {
    panel.append(h("p", { class: "muted" }, "No sources yet: use Import, or configure live sources in config.yaml."));
    return panel;
  }
  panel.append(h("table", { class: "sources" },
    h("thead", {}, h("tr", {}, h("th", {}, "Source"), h("th", {}, "State"), h("th", {}, "Last sync"), h("th", {}, h("span", { class: "sr-only" }, "Actions")))),
    h("tbody", {}, items.map((s) => sourceRow(s, onChanged)))));
  return panel;
}

function sourceRow(s, onChanged) {
  const type = s.name || s.source_type || s.type;
  const configured = s.configured || [];
  const last = s.last_sync_at || s.last_job?.finished_at;
  const held = [
    s.source_entities ? plural(s.source_entities, "identity", "identities") : null,
    s.interactions ? plural(s.interactions, "interaction") : null,
  ].filter(Boolean);
  const state = h("td", {}, [s.last_status, ...held, s.last_error].filter(Boolean).join(" · ") || "empty");
  if (s.live_status?.length) state.append(h("ul", { class: "live-status small" }, s.live_status.map(liveLine)));
  const cell = h("td", {});
  if (s.live && configured.length) {
    const button = h("button", { type: "button", class: "btn small", "aria-label": `Sync ${type} now` }, "Sync now");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const job = await api(`/sources/${encodeURIComponent(type)}/sync`, { method: "POST" });
        const final = await watchJob(job.id, (j) => fill(state, jobProgress(j)));
        if (jobFailed(final)) throw new Error(jobError(final));
        const got = final.summary || {};
        fill(state, `synced just now · ${plural(got.source_entities ?? 0, "new identity", "new identities")}, `
          + plural(got.interactions ?? 0, "new interaction"));
        toast(`${type} is up to date.`);
        onChanged();
      } catch (error) {
        fill(state, errorBox(error.message));
      } finally {
        button.disabled = false;
      }
    });
    cell.append(button);
  } else if (s.live) {
    cell.append(h("span", { class: "muted small" }, "live source: configure it in config.yaml to sync"));
  }
  return h("tr", {}, h("td", {}, sourceBadge(type), configured.length ? h("span", { class: "muted small" }, ` ${configured.join(", ")}`) : null),
    state, h("td", {}, last ? `${formatDate(last, true)} (${ago(last)})` : "never"), cell);
}

// How `kithkin serve` (or the login service) keeps one live source current, and how its last sync went.
function liveLine(entry) {
  const when = (iso) => formatDate(iso, true);
  const how = {
    syncing: "syncing now",
    retrying: `failed ${plural(entry.failures, "time")}, trying again ${when(entry.next_sync_at)}`,
    watching: `watching ${entry.watching}`,
    listening: "told of new mail by the server (IMAP IDLE)",
    scheduled: `every ${entry.interval_minutes} min, next ${when(entry.next_sync_at)}`,
    idle: "synced when the server started",
  }[entry.state] || entry.state;
  const last = entry.last_sync_at
    ? `last ${when(entry.last_sync_at)}: ${plural(entry.interactions_added, "new interaction")}, `
      + plural(entry.source_entities_added, "new identity", "new identities")
    : "not synced yet";
  return h("li", { dataset: { state: entry.state } }, h("b", {}, entry.account || entry.type), ` ${how} · ${last}`,
    entry.last_error ? h("div", { class: "live-error" }, entry.last_error) : null);
}

function discoverPanel(result) {
  const panel = h("section", { class: "panel", id: "discover" }, h("h2", {}, "People you may know"));
  if (result.status === "rejected") {
    panel.append(errorBox(`Suggestions could not be loaded: ${result.reason.message}`));
    return panel;
  }
  const items = result.value.items;
  if (!items.length) {
    panel.append(h("p", { class: "muted" }, "No suggestions yet: they come from the people your close ties know."));
    return panel;
  }
  for (const [group, title] of Object.entries(GROUPS)) {
    const members = items.filter((item) => (item.group || "close") === group);
    if (!members.length) continue;
    panel.append(h("h3", {}, title), h("ul", { class: "suggest", dataset: { group } }, members.map(suggestion)));
  }
  return panel;
}

const GROUPS = {
  close: "Close to people you know well",
  company: "At the company of people you know well",
  context: "In the same circles of your notes",
};

function suggestion({ person, reason }) {
  const item = h("li", {},
    avatar(person, "tiny"),
    h("div", {},
      h("a", { href: `#/people/${encodeURIComponent(person.id)}` }, person.display_name ?? person.canonical_name),
      h("div", { class: "muted small" }, reason)));
  const dismiss = h("button", { type: "button", class: "btn small", "aria-label": `Do not suggest ${person.canonical_name} again` }, "Not now");
  dismiss.addEventListener("click", async () => {
    dismiss.disabled = true;
    try {
      await api(`/discover/${encodeURIComponent(person.id)}/dismiss`, { method: "POST" });
      const list = item.parentElement;
      item.remove();
      if (list && !list.children.length) {
        list.previousElementSibling?.remove();
        list.remove();
      }
    } catch (error) {
      dismiss.disabled = false;
      toast(`The suggestion stays: ${error.message}`, "error");
    }
  });
  item.append(dismiss);
  return item;
}
