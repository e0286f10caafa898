// Search matches shown in place: the parts of a text that begin a word the way a query word does, marked.
// Built from text nodes and <mark> elements only (never markup from the text).

import { h } from "./dom.js";

const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** The text as nodes with every word prefix matching a word of `query` in a <mark>. */
export function highlight(text, query) {
  const value = String(text ?? "");
  const words = fold(String(query || "")).match(/[\p{L}\p{N}]+/gu) || [];
  if (!words.length || !value) return [value];
  // Folding keeps one character per character here for the common accents (NFD then marks removed);
  // where it would not, the text is shown without marks rather than marked in the wrong place.
  const folded = fold(value);
  if (folded.length !== value.length) return [value];
  const marks = [];
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = words.find((w) => match[0].startsWith(w));
    if (word) marks.push([match.index, match.index + word.length]);
  }
  if (!marks.length) return [value];
  const parts = [];
  let at = 0;
  for (const [start, end] of marks) {
    if (start > at) parts.push(value.slice(at, start));
    parts.push(h("mark", {}, value.slice(start, end)));
    at = end;
  }
  if (at < value.length) parts.push(value.slice(at));
  return parts;
}
