// Shared by the explore widgets: Plotly loading, requests where the latest wins, controls,
// readouts first and figures after, and pixel → data conversion for dragging points.
//
// Each widget root announces where it is, for the learner's assistive tech and for tests:
//   data-state="loading"  an input changed and its answer has not been shown yet
//   data-state="ready"    the readouts show the answer for the latest input
//   data-state="error"    the error box explains why the latest input cannot be shown
//   data-figure="drawing" | "drawn" | "failed"   the Plotly figures, drawn after the readouts
import { postJSON, caretMessage } from "../preview.js";
import { renderTex } from "../math.js";

export { renderTex };

// Partial Plotly bundles, pinned in package.json and vendored by scripts/refresh_vendor.sh:
// the cartesian one (contour, scatter) for every 2D figure, the gl3d one only for 3D figures.
const PLOTLY_BUNDLES = {
  cartesian: new URL("../../vendor/plotly/plotly-cartesian.min.js", import.meta.url).href,
  gl3d: new URL("../../vendor/plotly/plotly-gl3d.min.js", import.meta.url).href,
};
const GL3D_TRACES = new Set(["surface", "scatter3d", "mesh3d", "cone", "streamtube", "isosurface", "volume"]);
const bundles = {};

/**
 * Load one Plotly bundle once (a classic script) and resolve to its Plotly object.
 * Both bundles assign window.Plotly when they run, so each is taken from the global in its
 * own load event (fired right after that script ran) and the widgets use the object they
 * were given, never the global.
 */
export function loadPlotly(bundle = "cartesian") {
  bundles[bundle] ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = PLOTLY_BUNDLES[bundle];
    script.onload = () => resolve(globalThis.Plotly);
    script.onerror = () => {
      delete bundles[bundle]; // a later figure may try again
      reject(new Error(`Plotly (${bundle}) could not be loaded`));
    };
    document.head.append(script);
  });
  return bundles[bundle];
}

export function bundleFor(figure) {
  return figure.data.some((trace) => GL3D_TRACES.has(trace.type)) ? "gl3d" : "cartesian";
}

/** "1, 0.5" → [1, 0.5]; missing or malformed parts fall back to `fallback`. */
export function parseNumbers(text, fallback) {
  if (!text) return [...fallback];
  const parts = text.split(",").map((part) => Number(part.trim()));
  return fallback.map((value, i) => (Number.isFinite(parts[i]) ? parts[i] : value));
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled input; `attrs` become attributes of the input. */
export function field(label, attrs, className = "widget-field") {
  const wrapper = document.createElement("div");
  wrapper.className = className;
  const input = document.createElement(attrs.type === "select" ? "select" : "input");
  input.id = uid("w");
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "options") {
      for (const [optionValue, optionLabel] of value) input.add(new Option(optionLabel, optionValue));
    } else if (key !== "type" || input.tagName === "INPUT") {
      input.setAttribute(key, value);
    }
  }
  if (attrs.value !== undefined) input.value = attrs.value;
  const labelEl = document.createElement("label");
  labelEl.htmlFor = input.id;
  labelEl.textContent = label;
  wrapper.append(labelEl, input);
  return { wrapper, input };
}

export function textField(label, value) {
  const made = field(label, { type: "text", value, autocomplete: "off", spellcheck: "false",
                              autocapitalize: "off" }, "widget-field widget-field-wide");
  made.input.classList.add("widget-expression");
  return made;
}

export function numberField(label, value, step = "0.1") {
  return field(label, { type: "number", value: String(value), step, inputmode: "decimal" });
}

/** Build the common frame: controls, an error box, plot holders and a readout. */
export function frame(root, title) {
  root.replaceChildren();
  root.classList.add("widget-live");
  const heading = document.createElement("p");
  heading.className = "widget-title";
  heading.textContent = title;
  const controls = document.createElement("form");
  controls.className = "widget-controls";
  controls.addEventListener("submit", (event) => event.preventDefault());
  const error = document.createElement("pre");
  error.className = "widget-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const plots = document.createElement("div");
  plots.className = "widget-plots";
  const readout = document.createElement("div");
  readout.className = "widget-readout";
  readout.setAttribute("aria-live", "polite");
  root.append(heading, controls, error, plots, readout);
  return { controls, error, plots, readout };
}

/** A plot area that keeps `height` px free before its figure arrives, so nothing jumps. */
export function plotHolder(plots, label, height = 300, className = "widget-plot") {
  const div = document.createElement("div");
  div.className = className;
  div.style.minHeight = `${height}px`;
  div.setAttribute("role", "img");
  div.setAttribute("aria-label", label);
  plots.append(div);
  return div;
}

/**
 * Run `task` once the browser has painted the current changes: Plotly's drawing is long,
 * synchronous work, and started at once it would hold the new readout off the screen too.
 */
export function afterNextPaint(task) {
  requestAnimationFrame(() => setTimeout(task, 0));
}

// Page-wide: figures wait until every widget on the page has shown its first readout, since
// one widget's first drawing (Plotly starting up, a surface in software WebGL) is long work on
// the one main thread and would hold back the numbers of the widgets still waiting.
const firstReadouts = [];

function firstReadoutPending() {
  let done;
  firstReadouts.push(new Promise((resolve) => { done = resolve; }));
  return done;
}

/**
 * Draw jobs for one widget, one at a time and newest first, each started only after the
 * browser painted what came before it (the readouts). A job queued while another runs
 * replaces any job still waiting, so a fast drag never stacks up stale figures. A job gets
 * `stale()`, true once a newer job or a newer answer is on its way, to skip work the newer
 * one will redo. data-figure stays "drawing" until no job is left.
 */
function painter(root, plots) {
  let waiting = null;
  let running = false;
  let deferred = 0;
  const failure = document.createElement("p");
  failure.className = "widget-error widget-figure-error";
  failure.hidden = true;
  plots.after(failure);
  const stale = () => waiting !== null || deferred > 0 || root.dataset.state === "loading";

  async function drain() {
    running = true;
    await Promise.all(firstReadouts);
    let failed = null;
    while (waiting) {
      const current = waiting;
      waiting = null;
      try {
        await current(stale);
        failed = null;
      } catch (error) {
        failed = error;
        console.warn(error);
      }
    }
    running = false;
    if (deferred > 0) return; // a newer job is about to start: still drawing
    failure.hidden = failed === null;
    failure.textContent = failed ? `The figure could not be drawn: ${failed.message}` : "";
    root.dataset.figure = failed ? "failed" : "drawn";
  }

  return function paint(job) {
    root.dataset.figure = "drawing";
    deferred += 1;
    afterNextPaint(() => {
      deferred -= 1;
      waiting = job;
      if (!running) drain();
    });
  };
}

/**
 * Keep a widget in step with its inputs. `update()` asks as soon as the current event is
 * handled (changes made together coalesce; dragPoints already sends one point per frame),
 * `updateSoon()` 250 ms after the last keystroke; only the newest answer is shown.
 * `show(data, payload)` fills the readouts at once and returns the drawing to do afterwards (an async
 * function or nothing), so the numbers never wait for Plotly.
 */
export function liveWidget(root, { url, body, show, errorBox, plots, textOf }) {
  let latest = 0;
  let queued = false;
  let typing = 0;
  const paint = painter(root, plots);
  const answered = firstReadoutPending();

  async function run() {
    queued = false;
    const request = ++latest;
    const payload = body();
    let answer;
    try {
      answer = await postJSON(url, payload);
    } catch (error) {
      answer = { ok: false, data: { error: { message: `The server could not be reached (${error.message}).` } } };
    }
    answered(); // the first answer, whatever it says, no longer holds the page's figures
    if (request !== latest) return; // a newer input has its own request
    const settled = () => !queued && !typing && request === latest;
    if (!answer.ok) {
      const error = answer.data.error ?? { message: "The server could not draw this." };
      errorBox.textContent = caretMessage(textOf(payload), error);
      errorBox.hidden = false;
      if (settled()) root.dataset.state = "error";
      return;
    }
    errorBox.hidden = true;
    const drawing = show(answer.data, payload);
    if (settled()) root.dataset.state = "ready";
    if (drawing) paint(drawing);
  }

  function update() {
    root.dataset.state = "loading";
    clearTimeout(typing);
    typing = 0;
    if (queued) return;
    queued = true;
    queueMicrotask(run);
  }

  function updateSoon() {
    root.dataset.state = "loading";
    clearTimeout(typing);
    typing = setTimeout(update, 250);
  }

  return { update, updateSoon, paint };
}

function themed(layout) {
  const styles = getComputedStyle(document.documentElement);
  const color = styles.getPropertyValue("--fg").trim() || "#1c1e26";
  return { ...layout, font: { ...(layout.font ?? {}), color } };
}

export const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };

// Per plot element, the traces it was last given with their JSON. Plotly.react compares data
// arrays by reference, so a trace the server sent again unchanged (the surface, the contour
// background) is handed back as the very same object and Plotly skips recomputing it: a point
// update then redraws only the marker, the arrows and the tangent plane.
const lastTraces = new WeakMap();

// The server draws points and the level-set tangent in INK (COLORS["point"] in
// app/viz/plotting.py), a near-black that vanishes on the dark theme's background: each
// trace in INK is drawn in the page's own text colour instead, in either theme.
export const INK = "#111827";

function inked(trace) {
  const ink = getComputedStyle(document.documentElement).getPropertyValue("--fg").trim();
  if (!ink || !JSON.stringify(trace).includes(INK)) return trace;
  const copy = { ...trace };
  for (const key of ["line", "marker"]) {
    if (copy[key]?.color === INK) copy[key] = { ...copy[key], color: ink };
  }
  return copy;
}

function reuseUnchanged(div, traces) {
  const before = lastTraces.get(div) ?? [];
  const now = traces.map((trace, i) => {
    const json = JSON.stringify(trace);
    return before[i]?.json === json ? before[i] : { json, trace: inked(trace) };
  });
  lastTraces.set(div, now);
  return now.map(({ trace }) => trace);
}

/** Draw or update a figure in place (Plotly.react keeps the plot element and its state). */
export async function draw(div, figure, adapt = (layout) => layout) {
  const Plotly = await loadPlotly(bundleFor(figure));
  const data = reuseUnchanged(div, figure.data);
  await Plotly.react(div, data, adapt(themed(figure.layout), div), PLOT_CONFIG);
}

export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isNarrow(div) {
  return (div.clientWidth || window.innerWidth) < 600;
}

/**
 * Call `onPoint([x, y])` while the pointer (mouse, pen or finger) is pressed and moved on the
 * plot area of the first axes pair, converting pixels to data with the layout's own axes.
 * A finger that lands on that plot area drags p instead of scrolling the page (a scroll would
 * cancel the pointer): its touchstart is cancelled there, and only there, so the page still
 * scrolls from anywhere else, the figure's margins and legend included. (widgets.css also
 * sets `touch-action: none` on the plot area, but Chromium ignores touch-action on SVG.)
 */
export function dragPoints(div, onPoint, axes = ["xaxis", "yaxis"]) {
  div.classList.add("widget-draggable");
  let dragging = false;
  let pending = null;
  function toData(event) {
    const layout = div._fullLayout;
    if (!layout) return null;
    const xa = layout[axes[0]];
    const ya = layout[axes[1]];
    const box = div.getBoundingClientRect();
    const px = event.clientX - box.left - xa._offset;
    const py = event.clientY - box.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return null;
    return [xa.p2d(px), ya.p2d(py)];
  }
  function flush() {
    if (pending) onPoint(pending);
    pending = null;
  }
  function move(event) {
    const point = toData(event);
    if (!point) return;
    if (!pending) requestAnimationFrame(flush);
    pending = point.map((value) => Math.round(value * 100) / 100);
  }
  div.addEventListener("pointerdown", (event) => {
    const point = toData(event);
    if (!point) return;
    dragging = true;
    div.setPointerCapture?.(event.pointerId);
    move(event);
  }, true);
  div.addEventListener("pointermove", (event) => dragging && move(event), true);
  div.addEventListener("touchstart", (event) => {
    if (event.touches.length === 1 && toData(event.touches[0])) event.preventDefault();
  }, { passive: false });
  const stop = () => { dragging = false; };
  div.addEventListener("pointerup", stop, true);
  div.addEventListener("pointercancel", stop, true);
}

export function format(value, digits = 4) {
  if (value === null || value === undefined) return "–";
  const rounded = Number(value.toPrecision(digits));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** A TeX matrix from rows of numbers. */
export function texMatrix(rows, digits = 4) {
  return `\\begin{bmatrix}${rows.map((row) => row.map((v) => format(v, digits)).join(" & ")).join(" \\\\ ")}\\end{bmatrix}`;
}

export function texVector(values, digits = 4) {
  return texMatrix(values.map((v) => [v]), digits);
}

/** Readout lines for the server's notes about this answer (e.g. "f has a kink at p"). */
export function noteLines(notes) {
  return (notes ?? []).map((note) => ({ label: "note:", text: note, name: "note" }));
}

/** Replace `readout` with lines of label + TeX (or text when `tex` is false). */
export function showReadout(readout, lines) {
  const items = lines.map(({ label, tex, text, name }) => {
    const row = document.createElement("div");
    row.className = "widget-readout-row";
    if (name) row.dataset.name = name;
    if (label) {
      const labelEl = document.createElement("span");
      labelEl.className = "widget-readout-label";
      labelEl.textContent = label;
      row.append(labelEl);
    }
    const value = document.createElement("span");
    value.className = "widget-readout-value";
    if (tex !== undefined) renderTex(value, tex, false);
    else value.textContent = text;
    row.append(value);
    return row;
  });
  readout.replaceChildren(...items);
}
