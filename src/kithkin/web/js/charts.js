// Dashboard charts drawn as SVG (text nodes only): monthly bars with axes and values, and the colour of
// each source as a chart series.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = String(text);
  return el;
}

// Okabe and Ito's palette, told apart with every common colour-vision deficiency, then Tol's wine and teal
// for the sources past eight; each series is also labelled. Badges keep the brands' colours (STYLE.md).
export const SERIES_COLOURS = {
  mail: "#0072b2", calendar: "#e69f00", imessage: "#009e73", whatsapp: "#56b4e9", signal: "#cc79a7",
  slack: "#d55e00", contacts: "#f0e442", linkedin: "#000000", calls: "#999999", vault: "#882255", granola: "#44aa99",
};
const SAME_SOURCE = { imap: "mail", gmail: "mail", caldav: "calendar", ics_url: "calendar", wacli: "whatsapp", carddav: "contacts", phone: "calls" };

export function seriesColour(source) {
  return SERIES_COLOURS[SAME_SOURCE[source] || source] || "#777777";
}

/** A round step for an axis reaching `peak` in about four steps: 1, 2 or 5 × a power of ten. */
function step(peak) {
  const rough = Math.max(1, peak / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
}

/** Interactions per month ([{month: "YYYY-MM", count}]) up to `until` (YYYY-MM, the current month): bars
 * with a value axis, a month axis labelled at each January (and the first month), and each bar's value in
 * its tooltip and, when there is room, above it. */
export function monthChart(months, until) {
  const shown = everyMonth(months.filter((m) => m.month <= until));
  const width = 720;
  const height = 200;
  const left = 44;
  const bottom = 24;
  const top = 16;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const peak = Math.max(1, ...shown.map((m) => m.count));
  const unit = step(peak);
  const axisTop = Math.ceil(peak / unit) * unit;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "month-chart", role: "img",
    "aria-label": `Interactions per month, ${shown[0]?.month} to ${shown[shown.length - 1]?.month}` });
  for (let value = 0; value <= axisTop; value += unit) {
    const y = top + plotHeight - (plotHeight * value) / axisTop;
    chart.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }));
    chart.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, value.toLocaleString()));
  }
  const slot = plotWidth / Math.max(1, shown.length);
  const labelled = shown.length <= 12;
  shown.forEach((m, i) => {
    const barHeight = (plotHeight * m.count) / axisTop;
    const x = left + i * slot + slot * 0.15;
    const bar = svg("rect", { x, y: top + plotHeight - barHeight, width: slot * 0.7, height: Math.max(0, barHeight), class: "bar-month" });
    bar.append(svg("title", {}, `${m.month}: ${m.count.toLocaleString()} interactions`));
    chart.append(bar);
    if (labelled) chart.append(svg("text", { x: x + slot * 0.35, y: top + plotHeight - barHeight - 3, class: "value", "text-anchor": "middle" }, m.count.toLocaleString()));
    if (i === 0 || m.month.endsWith("-01")) {
      chart.append(svg("text", { x: x, y: height - 6, class: "axis" }, m.month.endsWith("-01") ? m.month.slice(0, 4) : m.month));
    }
  });
  chart.append(svg("line", { x1: left, x2: width - 8, y1: top + plotHeight, y2: top + plotHeight, class: "baseline" }));
  return chart;
}

/** The months from the first to the last given, those without interactions at zero (a gap stays visible). */
function everyMonth(months) {
  if (!months.length) return [];
  const counts = new Map(months.map((m) => [m.month, m.count]));
  const found = [];
  let [year, month] = months[0].month.split("-").map(Number);
  const last = months[months.length - 1].month;
  for (;;) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    found.push({ month: key, count: counts.get(key) || 0 });
    if (key >= last) return found;
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}
