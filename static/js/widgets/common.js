// Shared by the explore widgets: Plotly loading, requests where the latest wins, controls,
// drawing with Plotly.react, and pixel → data conversion for dragging points.
import { postJSON, caretMessage } from "/static/js/preview.js";
import { renderTex } from "/static/js/math.js";

export { renderTex };

// Partial Plotly bundles, pinned in package.json and vendored by scripts/refresh_vendor.sh:
// the cartesian one (contour, scatter) for every 2D figure, the gl3d one only for 3D figures.
const PLOTLY_BUNDLES = {
  cartesian: "/static/vendor/plotly/plotly-cartesian.min.js",
  gl3d: "/static/vendor/plotly/plotly-gl3d.min.js",
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

export function plotHolder(plots, label, className = "widget-plot") {
  const div = document.createElement("div");
  div.className = className;
  div.setAttribute("role", "img");
  div.setAttribute("aria-label", label);
  plots.append(div);
  return div;
}

/** A request runner: only the newest answer is applied; updates coalesce per frame. */
export function requester(url, body, apply, errorBox, textOf) {
  let latest = 0;
  let queued = false;
  async function run() {
    queued = false;
    const request = ++latest;
    const payload = body();
    const { ok, data } = await postJSON(url, payload);
    if (request !== latest) return;
    if (!ok) {
      const error = data.error ?? { message: "The server could not draw this." };
      errorBox.textContent = caretMessage(textOf(payload), error);
      errorBox.hidden = false;
      return;
    }
    errorBox.hidden = true;
    await apply(data);
  }
  return function schedule() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(run);
  };
}

function themed(layout) {
  const styles = getComputedStyle(document.documentElement);
  const color = styles.getPropertyValue("--fg").trim() || "#1c1e26";
  return { ...layout, font: { ...(layout.font ?? {}), color } };
}

export const PLOT_CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };

/** Draw or update a figure in place (Plotly.react keeps the plot element and its state). */
export async function draw(div, figure, adapt = (layout) => layout) {
  const Plotly = await loadPlotly(bundleFor(figure));
  await Plotly.react(div, figure.data, adapt(themed(figure.layout), div), PLOT_CONFIG);
}

export function isNarrow(div) {
  return (div.clientWidth || window.innerWidth) < 600;
}

/**
 * Call `onPoint([x, y])` while the pointer is pressed and moved on the plot area of the
 * axes pair (`xaxis`, `yaxis`), converting pixels to data with the layout's own axes.
 */
export function dragPoints(div, onPoint, axes = ["xaxis", "yaxis"]) {
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
