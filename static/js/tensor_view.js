// The forms of a four-index derivative beside the calculator's result (differential,
// Kronecker, index), and a slice explorer: pick an entry X_kl to see the matrix ∂F/∂X_kl,
// or an entry F_ij to see its gradient ∂F_ij/∂X. With values (`slices` in the response) the
// slices hold numbers; otherwise each cell is the index form specialised at its indices.
//
// calculator.js announces each result with an "mc:derivative" event whose detail is
// { request, response }, or null after an error. Only results with `forms` are shown here.
import { renderTex } from "./math.js";

const view = document.getElementById("tensor-view");
const FORM_TITLES = {
  differential: "Differential form",
  kronecker: "Kronecker form (vec-Jacobian)",
  index: "Index form",
};
const UNDECLARED_SIZE = 3; // a named size is shown at this size; the index form holds for any
const MAX_SHOWN = 10; // rows or columns of a slice shown at most

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function mathBlock(tex, display = true) {
  const node = element("div", { class: "tensor-math" });
  renderTex(node, tex, display);
  return node;
}

/** The four axes (F rows, F cols, X rows, X cols) that have an index, with their sizes. */
function axes(structure, slices) {
  const numeric = slices ? [...slices.function_shape, ...slices.variable_shape] : null;
  const out = [];
  let axis = 0;
  structure.free.forEach((letter, slot) => {
    if (letter === null) return;
    const declared = structure.sizes[slot];
    const size = numeric ? numeric[axis] : Number.isInteger(declared) ? declared : UNDECLARED_SIZE;
    out.push({ slot, letter, size, named: !numeric && !Number.isInteger(declared) });
    axis += 1;
  });
  return out;
}

function subscript(values) {
  return values.some((v) => typeof v === "number" && v > 9) ? values.join(",") : values.join("");
}

/** The index form at the bound letters (1-based numbers): LaTeX, or "0" when every term
 * has a delta of two different numbers. */
function specialise(structure, bound) {
  const value = (letter) => (letter in bound ? bound[letter] : letter);
  const pieces = [];
  for (const term of structure.terms) {
    const deltas = [];
    let vanishes = false;
    for (const [a, b] of term.deltas) {
      const [x, y] = [value(a), value(b)];
      if (typeof x === "number" && typeof y === "number") {
        if (x !== y) vanishes = true;
      } else {
        deltas.push(`\\delta_{${subscript([x, y])}}`);
      }
    }
    if (vanishes) continue;
    const parts = [];
    if (term.summed.length) parts.push(`\\sum_{${term.summed.join(",")}}`);
    if (term.coefficient) parts.push(term.coefficient);
    parts.push(...deltas);
    for (const entry of term.entries) {
      const letters = [entry.rows, entry.cols].filter((l) => l !== null).map(value);
      parts.push(`${entry.base}_{${subscript(letters)}}`);
    }
    const body = parts.join(" ") || "1";
    const negative = term.sign < 0;
    pieces.push(pieces.length === 0 ? (negative ? "-" : "") + body : (negative ? " - " : " + ") + body);
  }
  return pieces.join("") || "0";
}

/** The entry of `slices.tensor` at `indices` (0-based, one per axis with an index). */
function numberAt(tensor, indices) {
  let value = tensor;
  for (const index of indices) value = value[index];
  return value;
}

function formatNumber(value) {
  if (value === null || value === undefined) return "\\text{n/a}";
  const rounded = Number(value.toPrecision(4));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** A slice as a bmatrix: rows and columns are the free axes left after fixing `fixed`. */
function sliceTex(structure, slices, all, fixed) {
  const free = all.filter((axis) => !(axis.slot in fixed));
  const [rowAxis, colAxis] = [free[0] ?? null, free[1] ?? null];
  const rows = rowAxis ? Math.min(rowAxis.size, MAX_SHOWN) : 1;
  const cols = colAxis ? Math.min(colAxis.size, MAX_SHOWN) : 1;
  const lines = [];
  for (let r = 0; r < rows; r += 1) {
    const cells = [];
    for (let c = 0; c < cols; c += 1) {
      const at = { ...fixed };
      if (rowAxis) at[rowAxis.slot] = r;
      if (colAxis) at[colAxis.slot] = c;
      if (slices) {
        cells.push(formatNumber(numberAt(slices.tensor, all.map((axis) => at[axis.slot]))));
      } else {
        const bound = {};
        for (const axis of all) bound[axis.letter] = at[axis.slot] + 1;
        cells.push(specialise(structure, bound));
      }
    }
    lines.push(cells.join(" & "));
  }
  const truncated = (rowAxis && rowAxis.size > MAX_SHOWN) || (colAxis && colAxis.size > MAX_SHOWN);
  return { tex: `\\begin{bmatrix} ${lines.join(" \\\\ ")} \\end{bmatrix}`, truncated };
}

function picker(label, axis, onChange) {
  const select = element("select", { "data-axis": axis.letter, "aria-label": `${label} ${axis.letter}` });
  for (let i = 1; i <= axis.size; i += 1) select.append(element("option", { value: String(i - 1), text: String(i) }));
  select.addEventListener("change", onChange);
  return element("label", { class: "tensor-pick" }, `${axis.letter} = `, select, " ");
}

function valuesText(at) {
  if (!at) return "the values given";
  return Object.entries(at)
    .map(([name, value]) => `${name} = ${JSON.stringify(value).replaceAll(",", ", ")}`)
    .join("; ");
}

function explorer(response) {
  const structure = response.index_structure;
  const slices = response.slices ?? null;
  const all = axes(structure, slices);
  const hessian = response.kind === "hessian";
  const fAxes = all.filter((a) => a.slot < 2);
  const xAxes = all.filter((a) => a.slot >= 2);
  const wrt = response.wrt_latex;
  const box = element("div", { class: "tensor-explorer", "data-mode": "variable" });
  const heading = element("h4", { text: "Slice explorer" });
  const modes = element("div", { class: "tensor-modes", role: "radiogroup" });
  const pickers = element("div", { class: "tensor-pickers" });
  const caption = element("div", { class: "tensor-caption" });
  const output = element("div", { class: "tensor-slice", "data-testid": "tensor-slice" });
  const note = element("p", { class: "muted small tensor-note" });
  const choices = [
    ["variable", "Fix an entry of the variable: ∂F/∂X_kl"],
    ["function", hessian ? "Fix an entry of the gradient: ∇(∂f/∂X_ij)" : "Fix an entry of F: the gradient of F_ij"],
  ];
  for (const [mode, text] of choices) {
    const input = element("input", { type: "radio", name: "tensor-mode", value: mode });
    if (mode === "variable") input.checked = true;
    input.addEventListener("change", () => {
      box.dataset.mode = mode;
      build();
    });
    modes.append(element("div", {}, element("label", {}, input, ` ${text}`)));
  }
  function fixedAxes() {
    return box.dataset.mode === "variable" ? xAxes : fAxes;
  }
  function draw() {
    const fixed = {};
    for (const select of pickers.querySelectorAll("select")) {
      const axis = all.find((a) => a.letter === select.dataset.axis);
      fixed[axis.slot] = Number(select.value);
    }
    const bound = Object.fromEntries(fixedAxes().map((a) => [a.letter, fixed[a.slot] + 1]));
    const sub = fixedAxes().map((a) => bound[a.letter]);
    let lhs;
    if (box.dataset.mode === "variable") {
      lhs = hessian
        ? `\\frac{\\partial (\\nabla f)}{\\partial ${wrt}_{${subscript(sub)}}}`
        : `\\frac{\\partial F}{\\partial ${wrt}_{${subscript(sub)}}}`;
    } else {
      lhs = hessian
        ? `\\frac{\\partial^2 f}{\\partial ${wrt}_{${subscript(sub)}}\\,\\partial ${wrt}}`
        : `\\frac{\\partial F_{${subscript(sub)}}}{\\partial ${wrt}}`;
    }
    const { tex, truncated } = sliceTex(structure, slices, all, fixed);
    renderTex(output, `${lhs} = ${tex}`, true);
    output.dataset.slice = sub.join(",");
    const notes = [];
    if (slices) notes.push(`Numbers at ${valuesText(response.at)}.`);
    else notes.push("Each entry is the index form at its indices.");
    if (all.some((a) => a.named)) notes.push(`Sizes not declared are shown as ${UNDECLARED_SIZE}; the index form holds for any size.`);
    if (truncated) notes.push(`The first ${MAX_SHOWN} rows and columns are shown.`);
    note.textContent = notes.join(" ");
  }
  function build() {
    const fixed = fixedAxes();
    pickers.replaceChildren(...fixed.map((axis) => picker("index", axis, draw)));
    caption.textContent = fixed.length ? "" : "Nothing to pick: this side is a scalar.";
    draw();
  }
  box.append(heading, modes, pickers, caption, output, note);
  box.tabIndex = -1; // focus lands here when numbers replace the symbols
  build();
  return box;
}

/** Values for every variable of `shapes` ({name: [dims]}), each named size taken as
 * UNDECLARED_SIZE: square matrices near 2I (invertible, with a positive determinant, and
 * symmetric positive definite when symmetrised), the rest between 0.5 and 1.5 (positive, so
 * logs and square roots are defined). Rounded to two decimals, so a learner can retype them. */
export function sampleValues(shapes, declared = {}) {
  const size = (dim) => (Number.isInteger(dim) ? dim : UNDECLARED_SIZE);
  const draw = () => Math.round((0.5 + Math.random()) * 100) / 100;
  const at = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const dims = shape.map(size);
    if (dims.length === 0) at[name] = draw();
    else if (dims.length === 1 || dims[1] === 1) at[name] = Array.from({ length: dims[0] }, draw);
    else {
      const rows = Array.from({ length: dims[0] }, (_, i) =>
        Array.from({ length: dims[1] }, (_, j) => (dims[0] === dims[1] && i === j ? 2 : 0) + draw() / 10),
      );
      const symmetric = (declared[name]?.properties ?? []).some((p) => ["symmetric", "spd"].includes(p));
      if (symmetric && dims[0] === dims[1]) {
        for (let i = 0; i < dims[0]; i++) for (let j = 0; j < i; j++) rows[i][j] = rows[j][i];
      }
      at[name] = rows.map((row) => row.map((v) => Math.round(v * 100) / 100));
    }
  }
  return at;
}

/** "Show numbers": the same derivative asked again with sample values, shown in place. */
function numbersButton(detail) {
  const button = element("button", { type: "button", class: "button tensor-numbers", text: "Show numbers at sample values" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const request = { ...detail.request, at: sampleValues(detail.response.variables ?? {}, detail.request.variables) };
    try {
      const response = await fetch("/api/derivative", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      const data = await response.json();
      if (response.ok && data.slices) {
        show({ request, response: data });
        view.querySelector(".tensor-explorer")?.focus();
        return;
      }
      button.replaceWith(element("p", { class: "muted small", role: "status", text: data.error?.message ?? "No numbers for these values: the slices stay symbolic." }));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function codeBlock(title, code) {
  return element(
    "details",
    { class: "tensor-code" },
    element("summary", { text: title }),
    element("pre", { class: "code" }, element("code", { text: code })),
  );
}

function show(detail) {
  const response = detail?.response;
  if (!view) return;
  if (!response?.forms) {
    view.replaceChildren();
    view.hidden = true;
    return;
  }
  const forms = response.forms;
  // By a vector there is no vec to take: the Kronecker form is the Jacobian matrix itself.
  const titles = response.vec_convention ? FORM_TITLES : { ...FORM_TITLES, kronecker: "Matrix form" };
  const items = Object.entries(titles)
    .filter(([key]) => forms[key]?.latex)
    .map(([key, title]) =>
      element("div", { class: "tensor-form", "data-form": key }, element("h4", { text: title }), mathBlock(forms[key].latex)),
    );
  if (response.vec_convention) {
    items.push(element("p", { class: "muted small tensor-convention", text: response.vec_convention }));
  }
  if (response.index_structure) {
    response.wrt_latex = `{${detail.request?.wrt ?? "X"}}`;
    response.at = detail.request?.at;
    items.push(explorer(response));
    if (!response.slices && detail.request) items.push(numbersButton(detail));
  }
  if (response.einsum) {
    const block = codeBlock("numpy.einsum code for ∂F_ij/∂X_kl", response.einsum);
    const names = response.subexpressions ?? [];
    if (names.length) {
      const list = element("ul", { class: "tensor-names" });
      for (const named of names) {
        const item = element("li", { "data-name": named.name });
        renderTex(item, `${named.name.replace(/_(\d+)$/, "_{$1}")} = ${named.latex}`, false);
        list.append(item);
      }
      block.append(element("p", { class: "muted small", text: "where, computed once each:" }), list);
    }
    items.push(block);
  }
  if (response.selfcheck) items.push(codeBlock("Self-check against central differences", response.selfcheck));
  view.replaceChildren(...items);
  view.hidden = false;
}

document.addEventListener("mc:derivative", (event) => show(event.detail));
