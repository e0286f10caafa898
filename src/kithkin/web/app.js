// Kithkin's single-page app: routes (#/people, #/graph, #/meetings, #/stats, each optionally
// followed by /<person id> to open the person panel), the header controls, and the wiring between parts.

import { api } from "./js/api.js";
import { CompaniesView } from "./js/companies.js";
import { refreshDashboard, renderDashboard } from "./js/dashboard.js";
import { DetailPanel } from "./js/detail.js";
import { $, debounce, fill, h, plural, sourceLabel, toast } from "./js/dom.js";
import { GraphView } from "./js/graphview.js";
import { ImportWizard } from "./js/importer.js";
import { PeopleList } from "./js/list.js";
import { renderMeetings } from "./js/meetings.js";
import { ReviewDialog, pendingCount } from "./js/review.js";
import { SearchView } from "./js/search.js";

const VIEWS = ["people", "graph", "companies", "meetings", "stats", "search"];
const KNOWN_CATEGORIES = ["work", "personal", "family", "unknown"];

const search = $("#search");
const filters = {
  category: $("#filter-category"),
  source: $("#filter-source"),
  sort: $("#filter-sort"),
  pending: $("#filter-pending"),
};
const resultCount = $("#result-count");
const pendingBadge = $("#pending-count");

const list = new PeopleList($("#people-list"), {
  onLoaded(total, items) {
    resultCount.textContent = total === null ? "" : plural(total, "person", "people");
    addOptions(filters.category, items.map((p) => p.category).filter(Boolean));
  },
  onError(error) {
    toast(error.message, "error");
  },
});

const detail = new DetailPanel($("#detail"), {
  onClose: () => go(currentView()),
  onChanged(person) {
    if (person) list.update(person);
    else reloadList();
  },
  onReview: (links) => review.open(links),
  onTag(tag) {
    setTag(tag);
    go("people", personInRoute());
  },
});

const review = new ReviewDialog($("#review-dialog"), {
  onDecided() {
    refreshPending();
    reloadList();
    const id = personInRoute();
    if (id) detail.open(id);
  },
});

const wizard = new ImportWizard($("#import-dialog"), {
  onImported() {
    refreshPending();
    reloadList();
    loadSources();
  },
  onReview: () => review.open(),
});

const searchView = new SearchView($("#view-search"), { onBack: () => search.focus() });

const graphView = new GraphView($("#view-graph"), {
  onOpen: (id) => go("graph", id),
});
const companiesView = new CompaniesView($("#view-companies"), { onOpen: (id) => go("companies", id) });

// A tag chosen on a person's panel narrows the list until its chip is removed.
let tagFilter = "";
const tagChip = $("#tag-filter");

function setTag(tag) {
  tagFilter = tag;
  tagChip.hidden = !tag;
  fill(tagChip, tag ? [`Tag: ${tag}`, h("button", { type: "button", "aria-label": `Stop filtering by tag ${tag}`, onclick: () => setTag("") }, "×")] : []);
  reloadList();
}

function params() {
  return {
    tag: tagFilter,
    q: search.value.trim(),
    category: filters.category.value,
    source: filters.source.value,
    sort: filters.sort.value,
    pending: filters.pending.checked ? "true" : "",
  };
}

function reloadList() {
  list.load(params());
}

function addOptions(select, values, label = (v) => v) {
  const have = new Set([...select.options].map((o) => o.value));
  for (const value of values) {
    if (have.has(value)) continue;
    have.add(value);
    select.appendChild(h("option", { value }, label(value)));
  }
}

async function loadSources() {
  try {
    const stats = await api("/statistics");
    addOptions(filters.source, Object.keys(stats.entities_by_source || {}).sort(), sourceLabel);
  } catch {
    // The source filter then offers only "All"; the list itself reports a dead server.
  }
}

async function refreshPending() {
  try {
    const count = await pendingCount();
    pendingBadge.textContent = count.toLocaleString();
    pendingBadge.classList.toggle("zero", count === 0);
    pendingBadge.setAttribute("aria-label", `${plural(count, "link")} to review`);
  } catch {
    pendingBadge.textContent = "?";
    pendingBadge.setAttribute("aria-label", "The number of links to review is not available");
  }
}

// New data from the live sources (kept current by `kithkin serve` or the login service): the list and an
// open person follow it. A mark that moves when data arrives is asked for while the page is in view.
const ARRIVAL_POLL_MS = 3000;
const dashboardHooks = { onChanged: () => { reloadList(); refreshPending(); } };
let arrivalMark = null;

async function followArrivals() {
  if (document.visibilityState === "visible") {
    try {
      const { mark } = await api("/changes");
      if (arrivalMark !== null && mark !== arrivalMark) {
        list.refresh();
        if (personInRoute()) detail.refresh();
        if (currentView() === "stats") refreshDashboard($("#view-stats"), dashboardHooks);
        refreshPending();
      }
      arrivalMark = mark;
    } catch {
      // A dead server is reported by the list; asking again later costs nothing.
    }
  }
  setTimeout(followArrivals, ARRIVAL_POLL_MS);
}

// Routing --------------------------------------------------------------------------------------

function route() {
  const [, view = "people", id = "", at = ""] = location.hash.split("/");
  return { view: VIEWS.includes(view) ? view : "people", id: decodeURIComponent(id), at: decodeURIComponent(at) };
}

const currentView = () => route().view;
const personInRoute = () => route().id || null;

function go(view, id) {
  location.hash = id ? `#/${view}/${encodeURIComponent(id)}` : `#/${view}`;
}

let shownView = null;

function applyRoute() {
  const { view, id, at } = route();
  if (view !== shownView) {
    for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
    for (const link of document.querySelectorAll(".views a")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (shownView === "graph") graphView.hide();
    shownView = view;
    if (view === "graph") graphView.show();
    else if (view === "companies") companiesView.show();
    else if (view === "meetings") renderMeetings($("#view-meetings"));
    else if (view === "stats") renderDashboard($("#view-stats"), dashboardHooks);
    document.title = `Kithkin · ${{ people: "People", graph: "Graph", companies: "Companies", meetings: "Meetings", stats: "Dashboard", search: "Search" }[view]}`;
  }
  if (view === "search") searchView.show(search.value);
  list.select(id || null);
  if (id) detail.open(id, at ? { tab: "timeline", at } : {});
  else detail.close();
}

// Header controls ------------------------------------------------------------------------------

search.addEventListener("input", debounce(() => {
  if (currentView() !== "people" && currentView() !== "search") go("people");
  reloadList();
}, 200));
search.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown") {
    event.preventDefault();
    if (currentView() !== "search" || !searchView.focusFirst()) list.focusIndex(0);
  } else if (event.key === "Enter") {
    // Enter searches every conversation too; typing alone filters the people list.
    event.preventDefault();
    if (currentView() === "search" && !personInRoute()) searchView.show(search.value);
    else go("search");
  }
});
for (const control of Object.values(filters)) control.addEventListener("change", reloadList);
$("#filters").addEventListener("submit", (event) => event.preventDefault());
$("#pending-button").addEventListener("click", () => review.open());
$("#import-button").addEventListener("click", () => wizard.open());

document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]")) return;
  const typing = event.target.matches?.("input, textarea, select, [contenteditable]");
  if (event.key === "Escape" && detail.isOpen()) {
    event.preventDefault();
    go(currentView());
  } else if (event.key === "/" && !typing) {
    event.preventDefault();
    search.focus();
    search.select();
  }
});

window.addEventListener("hashchange", applyRoute);

// The header wraps on narrow screens; the person panel starts below it whatever its height.
const topbar = $(".topbar");
new ResizeObserver(() => {
  document.documentElement.style.setProperty("--topbar-height", `${topbar.offsetHeight}px`);
}).observe(topbar);

addOptions(filters.category, KNOWN_CATEGORIES);
reloadList();
applyRoute();
refreshPending();
loadSources();
followArrivals();
