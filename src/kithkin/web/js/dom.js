// Building DOM from data. Everything shown here comes from other people (names, messages, notes),
// so text only ever enters the page as text nodes or textContent: this module has no innerHTML.

/** An element: h("a", {class: "x", href, onclick}, "text", childNode, [more], null). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "value") {
      el.value = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (nodes, text, arrays; null and false are skipped). */
export function append(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, ...child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** Replace an element's content with the given children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function initials(name) {
  const words = String(name || "?")
    .replace(/[^\p{L}\p{N}\s'-]/gu, " ")
    .split(/\s+/)
    .filter(Boolean);
  if (!words.length) return "?";
  const first = Array.from(words[0])[0] || "";
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || "" : "";
  return (first + last).toUpperCase();
}

// A stable hue per person so initials avatars are told apart at a glance.
export function hue(text) {
  let n = 0;
  for (const ch of String(text || "")) n = (n * 31 + ch.codePointAt(0)) % 360;
  return n;
}

/** An avatar: the contact card's photo when there is one (data: images only), else initials. */
export function avatar(person, size = "") {
  const cls = `avatar ${size}`.trim();
  if (person.avatar && /^data:image\/(png|jpe?g|gif|webp);base64,/i.test(person.avatar)) {
    return h("img", { class: cls, src: person.avatar, alt: "" });
  }
  const el = h("span", { class: cls, "aria-hidden": "true" }, initials(person.canonical_name || person.name));
  el.style.setProperty("--hue", hue(person.id || person.canonical_name));
  return el;
}

export function strengthLevel(value) {
  if (value >= 0.6) return "high";
  if (value >= 0.3) return "medium";
  return "low";
}

export function strengthBar(value) {
  const v = Math.max(0, Math.min(1, Number(value) || 0));
  const bar = h(
    "span",
    { class: `strength strength-${strengthLevel(v)}`, role: "meter", "aria-valuemin": 0, "aria-valuemax": 100,
      "aria-valuenow": Math.round(v * 100), "aria-label": `Relationship strength ${Math.round(v * 100)}%` },
    h("span", { class: "strength-fill" }),
  );
  bar.style.setProperty("--value", `${Math.round(v * 100)}%`);
  return bar;
}

// Kithkin's source names → the palette's badge colours (STYLE.md); unknown sources get a neutral one.
const SOURCE_LABELS = {
  imessage: "iMessage", calls: "Calls", contacts: "Contacts", carddav: "CardDAV", mail: "Mail", imap: "Mail",
  calendar: "Calendar", caldav: "Calendar", ics_url: "Calendar", linkedin: "LinkedIn", whatsapp: "WhatsApp",
  wacli: "WhatsApp", signal: "Signal", slack: "Slack", vault: "Vault", granola: "Granola",
};

export function sourceLabel(source) {
  return SOURCE_LABELS[source] || String(source || "unknown");
}

export function sourceBadge(source) {
  return h("span", { class: "badge", dataset: { source: String(source) } }, sourceLabel(source));
}

/** Badges for sources; beyond `max` of them, one "+n" badge naming the rest. */
export function sourceBadges(sources, max = Infinity) {
  const all = sources || [];
  const shown = all.length > max ? all.slice(0, max - 1) : all;
  const rest = all.slice(shown.length);
  return h("span", { class: "badges" }, shown.map(sourceBadge),
    rest.length ? h("span", { class: "badge more", title: rest.map(sourceLabel).join(", ") }, `+${rest.length}`) : null);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
});

export function formatDate(iso, withTime = false) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return (withTime ? timeFormat : dateFormat).format(d);
}

export function ago(iso) {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const days = Math.round((Date.now() - d.getTime()) / 86_400_000);
  if (days < -1) return `in ${-days} days`;
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  if (days < 60) return `${days} days ago`;
  if (days < 730) return `${Math.round(days / 30)} months ago`;
  return `${Math.round(days / 365)} years ago`;
}

export function plural(n, word, many = `${word}s`) {
  return `${Number(n).toLocaleString()} ${n === 1 ? word : many}`;
}

/** A message in words, with an optional retry button; role=alert so screen readers hear it. */
export function errorBox(message, retry) {
  return h(
    "div",
    { class: "error", role: "alert" },
    h("p", {}, message),
    retry ? h("button", { type: "button", class: "btn", onclick: retry }, "Try again") : null,
  );
}

export function skeleton(lines = 3, cls = "") {
  return h(
    "div",
    { class: `skeleton ${cls}`.trim(), "aria-busy": "true", "aria-label": "Loading" },
    Array.from({ length: lines }, () => h("span", { class: "skeleton-line" })),
  );
}

export function debounce(fn, wait) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

/** A short-lived message at the bottom of the screen (polite live region). */
export function toast(message, kind = "info") {
  const region = document.getElementById("toasts");
  if (!region) return;
  const el = h("div", { class: `toast toast-${kind}` }, message);
  region.appendChild(el);
  setTimeout(() => el.remove(), 4000);
}

/** Only web links open from data: anything else (javascript:, data:) is shown as text. */
export function safeUrl(url) {
  try {
    const parsed = new URL(String(url), location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}
