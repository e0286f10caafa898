// The import wizard (choose a source, choose files, watch the job, read the summary) and the
// job polling that sync buttons share.

import { api } from "./api.js";
import { errorBox, fill, h, plural, sourceBadge, sourceLabel } from "./dom.js";

// What each importer reads, so the wizard can say which file to pick.
export const SOURCE_HINTS = {
  contacts: "A vCard file (.vcf) exported from Contacts or Google Contacts.",
  imessage: "Messages' chat.db (from ~/Library/Messages).",
  calls: "The call history database (CallHistory.storedata).",
  mail: "A mailbox file (.mbox), e.g. from Google Takeout.",
  calendar: "A calendar file (.ics).",
  linkedin: "LinkedIn's data export (.zip) or its Connections.csv.",
  whatsapp: "An exported WhatsApp chat (.txt or .zip).",
  signal: "A Signal backup export (JSON).",
  slack: "A Slack workspace export (.zip).",
  vault: "Markdown notes (.md), or a zip of the vault.",
  granola: "A Granola export (JSON).",
};


/** Poll /jobs/{id} until it has succeeded or failed; onUpdate(job) after each answer. Resolves to the last job state. */
export async function watchJob(jobId, onUpdate, interval = 400) {
  for (;;) {
    const job = await api(`/jobs/${encodeURIComponent(jobId)}`);
    onUpdate(job);
    if (job.state === "succeeded" || job.state === "failed") return job;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export function jobFailed(job) {
  return job.state === "failed";
}

/** A progress element and its words for a job state. */
export function jobProgress(job) {
  const done = job.done ?? null;
  const total = job.total ?? null;
  const fraction = total ? done / total : null;
  const bar = h("progress", { max: "1", "aria-label": "Progress" });
  if (fraction !== null && Number.isFinite(fraction)) bar.value = Math.max(0, Math.min(1, fraction));
  const words = [job.message || job.state || "working"];
  if (done !== null) words.push(total ? `${done.toLocaleString()} of ${total.toLocaleString()}` : `${done.toLocaleString()} items`);
  return h("div", { class: "job-progress" }, bar, h("p", { class: "muted small" }, words.join(" · ")));
}

export function jobError(job) {
  return job.error || "The job failed without saying why; see the server's log.";
}

const SUMMARY_FIGURES = [
  ["files", "files"], ["source_entities", "identities"], ["interactions", "interactions"],
  ["people_created", "new people"], ["links_auto", "linked automatically"], ["links_pending", "links to review"],
  ["skipped", "skipped"],
];

export function summaryView(summary) {
  const figures = SUMMARY_FIGURES.filter(([key]) => summary[key] !== undefined);
  const errors = summary.errors || [];
  return h("div", { id: "import-summary" },
    h("div", { class: "tiles" }, figures.map(([key, label]) => h("div", { class: "tile" }, h("b", {}, Number(summary[key]).toLocaleString()), h("span", {}, label)))),
    summary.interactions || summary.source_entities ? null : h("p", { class: "nothing-new" }, nothingNew(summary)),
    coverageView(summary),
    errors.length
      ? h("details", {}, h("summary", {}, `${plural(errors.length, "problem")} reported`), h("ul", {}, errors.map((e) => h("li", {}, e))))
      : null);
}

/** Why an import stored nothing new, from the coverage sections every importer reports. */
function nothingNew(summary) {
  if (Object.values(summary.imported || {}).some(Boolean)) return "Nothing new: all of it was imported before.";
  if (Object.keys(summary.left_out || {}).length || summary.skipped) return "Nothing was imported: everything read was left out or skipped (see below).";
  if (summary.read && !Object.values(summary.read).some(Boolean)) return "Nothing was imported: the file holds nothing this importer reads.";
  return "Nothing new was stored.";
}

/** Whatever else the importer reported (what it read, imported and left out, and why), whatever the source:
 * every key beyond the summary's own figures, a count or a {what: count} table. */
function coverageView(summary) {
  // files_read: every file by its path (for an upload, the server's copy); the files tile counts them.
  const own = new Set(["source", "errors", "files_read", ...SUMMARY_FIGURES.map(([key]) => key)]);
  const rows = Object.entries(summary)
    .filter(([key, value]) => !own.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => [key.replaceAll("_", " "), coverageText(value)])
    .filter(([, text]) => text);
  if (!rows.length) return null;
  return h("dl", { class: "coverage", "aria-label": "What was read and left out" },
    rows.flatMap(([label, text]) => [h("dt", {}, label), h("dd", {}, text)]));
}

function coverageText(value) {
  if (typeof value === "number") return value.toLocaleString();
  if (Array.isArray(value)) return value.map(coverageText).join("; ");
  if (typeof value === "object") {
    // {reason: count}, or {file: why it was left out}
    return Object.entries(value).map(([what, count]) => (typeof count === "string" ? `${what} (${count})` : `${what} ${coverageText(count)}`)).join(", ") || "none";
  }
  return String(value);
}

export class ImportWizard {
  /** hooks: onImported(summary), onReview() */
  constructor(dialog, hooks) {
    this.dialog = dialog;
    this.hooks = hooks;
    dialog.addEventListener("close", () => dialog.replaceChildren());
  }

  async open() {
    this.source = null;
    this.files = [];
    if (!this.dialog.open) this.dialog.showModal();
    let sources = Object.keys(SOURCE_HINTS);
    try {
      const body = await api("/sources");
      const importable = (body.items || [])
        .filter((s) => s.importable)
        .map((s) => s.name)
        .filter((name) => name in SOURCE_HINTS);
      if (importable.length) sources = [...new Set(importable)];
    } catch {
      // Without /sources the wizard offers every importer Kithkin knows; the upload says if one is missing.
    }
    this.chooseSource(sources);
  }

  frame(step, content, actions) {
    const steps = ["Source", "Files", "Import", "Summary"];
    fill(
      this.dialog,
      h("div", { class: "modal-head" },
        h("h2", { id: "import-title" }, "Import"),
        h("button", { type: "button", class: "btn small", "aria-label": "Close import", onclick: () => this.dialog.close() }, "✕")),
      h("div", { class: "modal-body" },
        h("ol", { class: "steps" }, steps.map((s, i) => h("li", { "aria-current": i === step ? "step" : null }, s))),
        content),
      h("div", { class: "modal-foot" }, actions),
    );
  }

  chooseSource(sources) {
    const next = h("button", { type: "button", class: "btn primary", disabled: !this.source, onclick: () => this.chooseFiles() }, "Next");
    const choices = h("div", { class: "choices", role: "radiogroup", "aria-label": "Source" },
      sources.map((name) => {
        const radio = h("input", { type: "radio", name: "source", value: name, checked: this.source === name });
        radio.addEventListener("change", () => {
          this.source = name;
          next.disabled = false;
        });
        return h("label", { class: "choice" }, radio, sourceBadge(name), h("span", { class: "small muted" }, SOURCE_HINTS[name] || ""));
      }));
    choices.addEventListener("dblclick", () => this.source && this.chooseFiles());
    this.frame(0, h("div", {}, h("p", {}, "Where is the data from?"), choices), [
      h("button", { type: "button", class: "btn", onclick: () => this.dialog.close() }, "Cancel"), next]);
    (choices.querySelector("input:checked") || choices.querySelector("input"))?.focus();
  }

  chooseFiles() {
    const list = h("ul", { class: "files", "aria-label": "Files to import" });
    const start = h("button", { type: "button", class: "btn primary", disabled: true, onclick: () => this.upload() }, "Import");
    const input = h("input", { type: "file", multiple: true, id: "import-files" });
    const show = () => {
      fill(list, this.files.map((f) => h("li", {}, h("span", {}, f.name), h("span", { class: "muted small" }, size(f.size)))));
      start.disabled = !this.files.length;
    };
    input.addEventListener("change", () => {
      this.files = [...input.files];
      show();
    });
    const zone = h("div", { class: "dropzone" },
      h("p", {}, SOURCE_HINTS[this.source] || "Choose the exported files."),
      h("label", { class: "btn", for: "import-files" }, "Choose files…"), input,
      h("p", { class: "muted small" }, "or drop them here. Files are read by this computer's Kithkin only."));
    input.classList.add("sr-only");
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      this.files = [...e.dataTransfer.files];
      show();
    });
    this.frame(1, h("div", {}, h("p", {}, "Import into ", sourceBadge(this.source)), zone, list), [
      h("button", { type: "button", class: "btn", onclick: () => this.open() }, "Back"), start]);
    show();
  }

  async upload() {
    const status = h("div", { role: "status", "aria-live": "polite" }, jobProgress({ message: `Uploading ${plural(this.files.length, "file")}` }));
    this.frame(2, status, [h("button", { type: "button", class: "btn", onclick: () => this.dialog.close() }, "Hide")]);
    const form = new FormData();
    form.append("source", this.source);
    for (const file of this.files) form.append("files", file, file.name);
    try {
      const started = await api("/sources/import", { method: "POST", form });
      let summary = started;
      if (started.id && started.state) {
        const job = await watchJob(started.id, (j) => fill(status, jobProgress(j)));
        if (jobFailed(job)) throw new Error(jobError(job));
        summary = job.summary ?? {};
      }
      this.finish(summary);
    } catch (error) {
      this.frame(2, errorBox(error.message), [
        h("button", { type: "button", class: "btn", onclick: () => this.chooseFiles() }, "Back"),
        h("button", { type: "button", class: "btn primary", onclick: () => this.upload() }, "Try again")]);
    }
  }

  finish(summary) {
    this.hooks.onImported(summary);
    const pending = Number(summary.links_pending || 0);
    this.frame(3, h("div", {}, h("p", {}, `Imported from ${sourceLabel(this.source)}.`), summaryView(summary)), [
      pending ? h("button", { type: "button", class: "btn", onclick: () => { this.dialog.close(); this.hooks.onReview(); } }, `Review ${plural(pending, "link")}`) : null,
      h("button", { type: "button", class: "btn", onclick: () => this.open() }, "Import more"),
      h("button", { type: "button", class: "btn primary", onclick: () => this.dialog.close() }, "Done")]);
    this.dialog.querySelector(".modal-foot .btn.primary")?.focus();
  }
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
