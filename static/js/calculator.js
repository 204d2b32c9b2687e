// The matrix-derivative calculator: live preview, editable variables, result and steps.
// The address bar keeps the whole question (share link): expr, wrt, layout, kind and one
// v=name:shape:properties per declared variable, e.g. ?expr=x^T A x&wrt=x&v=A:n,n:symmetric.
import { renderTex } from "./math.js";
import { readingNotes, suggestionLine } from "./preview.js";

const $ = (id) => document.getElementById(id);
const form = $("calc-form");
const input = $("expression");
const preview = $("expression-preview");
const inputError = $("expression-error");
const wrtSelect = $("wrt");
const variablesBody = $("variables-body");
const result = $("result");
const resultError = $("result-error");
const status = $("calc-status");
const KINDS = ["auto", "gradient", "jacobian", "hessian"];
const LAYOUTS = ["numerator", "denominator"];
const PROPERTIES = ["symmetric", "spd", "diagonal", "positive", "simplex"];

// Shapes the learner typed in the variables panel, by name: {shape: [...], properties: [...]}.
const declared = new Map();
let inferred = {};
let previewTimer = 0;
let previewRequest = 0;

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json();
  return { ok: response.ok, data };
}

function declarations() {
  const out = {};
  for (const [name, spec] of declared) out[name] = spec;
  return Object.keys(out).length ? out : undefined;
}

/** Fill `box` with the message, under the typed text and a caret at the error's position.
 * The text and caret keep their columns and scroll sideways in their own line; the message
 * wraps to the box, so a phone never shows one very long line. */
function showCaretMessage(box, text, error) {
  const parts = [];
  if (error.position !== null && error.position !== undefined) {
    const position = Math.min(error.position, text.length);
    const source = document.createElement("span");
    source.className = "error-source";
    source.textContent = `${text}\n${" ".repeat(position)}^`;
    parts.push(source);
  }
  const message = document.createElement("span");
  message.className = "error-message";
  message.textContent = error.message;
  parts.push(message);
  // The server's one most likely fix, as a button that puts it in the box and reads it.
  if (error.suggestion) parts.push(suggestionLine(error.suggestion, applySuggestion));
  box.replaceChildren(...parts);
}

function applySuggestion(fixed) {
  input.value = fixed;
  input.focus();
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function showInputError(error) {
  showCaretMessage(inputError, input.value, error);
  inputError.hidden = false;
  input.setAttribute("aria-invalid", "true");
}

function clearInputError() {
  inputError.hidden = true;
  inputError.textContent = "";
  input.removeAttribute("aria-invalid");
}

function shapeText(shape) {
  return shape.length === 0 ? "scalar" : shape.length === 1 ? `${shape[0]}×1` : `${shape[0]}×${shape[1]}`;
}

function renderVariables(variables) {
  inferred = variables;
  const previous = wrtSelect.value;
  wrtSelect.replaceChildren();
  variablesBody.replaceChildren();
  for (const [name, shape] of Object.entries(variables)) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    wrtSelect.append(option);

    const row = document.createElement("tr");
    const nameCell = document.createElement("th");
    nameCell.scope = "row";
    nameCell.textContent = name;
    const shapeCell = document.createElement("td");
    const shapeInput = document.createElement("input");
    shapeInput.type = "text";
    shapeInput.className = "shape-input";
    shapeInput.value = shape.join(", ");
    shapeInput.setAttribute("aria-label", `shape of ${name}`);
    shapeInput.dataset.name = name;
    shapeCell.append(shapeInput);
    const propsCell = document.createElement("td");
    for (const property of PROPERTIES) {
      const label = document.createElement("label");
      label.className = "property";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = property;
      box.dataset.name = name;
      box.checked = (declared.get(name)?.properties ?? []).includes(property);
      label.append(box, ` ${property}`);
      propsCell.append(label);
    }
    row.append(nameCell, shapeCell, propsCell);
    variablesBody.append(row);
  }
  if (previous && variables[previous]) wrtSelect.value = previous;
}

function readDeclaration(name) {
  const shapeInput = variablesBody.querySelector(`input.shape-input[data-name="${CSS.escape(name)}"]`);
  const dims = shapeInput.value
    .split(",")
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  const properties = [...variablesBody.querySelectorAll(`input[type=checkbox][data-name="${CSS.escape(name)}"]`)]
    .filter((box) => box.checked)
    .map((box) => box.value);
  declared.set(name, { shape: dims, properties });
}

async function updatePreview() {
  const text = input.value;
  const request = ++previewRequest;
  if (!text.trim()) {
    preview.replaceChildren();
    clearInputError();
    preview.dataset.state = "ready";
    return;
  }
  const { ok, data } = await postJSON("/api/parse", { expression: text, variables: declarations() });
  if (request !== previewRequest) return; // a newer keystroke has its own request
  if (!ok) {
    showInputError(data.error ?? { message: "This expression cannot be read." });
    preview.dataset.state = "error";
    return;
  }
  clearInputError();
  const holder = document.createElement("span");
  renderTex(holder, data.latex, false);
  const shape = document.createElement("span");
  shape.className = "muted small";
  shape.textContent = ` (${shapeText(data.shape)})`;
  const label = document.createElement("span");
  label.className = "muted small";
  label.textContent = "interpreted as ";
  preview.replaceChildren(label, holder, shape, ...readingNotes(data.readings));
  renderVariables(data.variables);
  preview.dataset.state = "ready"; // tests wait for this: loading → ready | error
}

function schedulePreview() {
  preview.dataset.state = "loading";
  previewRequest += 1; // an answer still on its way is for older text: it must not say "ready"
  clearTimeout(previewTimer);
  previewTimer = setTimeout(updatePreview, 180);
}

function selected(name) {
  return form.querySelector(`input[name="${name}"]:checked`).value;
}

function renderResult(data) {
  resultError.hidden = true;
  result.hidden = false;
  const kindTitles = { gradient: "Gradient", jacobian: "Jacobian", hessian: "Hessian" };
  $("result-title").textContent = `${kindTitles[data.kind]} (${data.layout} layout)`;
  const badge = $("verified-badge");
  // A result that disagrees with its own numerical check is a bug, not an answer.
  const failed = data.status === "failed-check";
  badge.textContent = data.verified
    ? "✓ verified numerically"
    : failed
      ? "✗ failed its check"
      : "✗ not verified";
  badge.className = `badge ${data.verified ? "ok" : "bad"}`;
  badge.title = data.check.message;
  $("result-failed").hidden = !failed;
  $("result-math").hidden = failed;
  renderTex($("result-math"), data.latex, true);
  $("result-shape").textContent = `shape ${shapeText(data.shape)} · ${data.check.message}`;
  const notes = $("result-notes");
  notes.replaceChildren(
    ...data.notes.map((note) => {
      const item = document.createElement("li");
      item.textContent = note;
      return item;
    }),
  );
  const steps = $("steps");
  steps.replaceChildren(
    ...data.steps.map((step) => {
      const item = document.createElement("li");
      const rule = document.createElement("div");
      rule.className = "step-rule";
      rule.textContent = step.rule;
      const math = document.createElement("div");
      math.className = "step-math";
      renderTex(math, step.latex, true);
      item.append(rule, math);
      if (step.formula) {
        const formula = document.createElement("div");
        formula.className = "step-formula";
        renderTex(formula, step.formula, false);
        item.append(formula);
      }
      return item;
    }),
  );
  $("numpy-code").textContent = data.numpy;
}

/** The question as a share link: the page's address with every setting of the request. */
function shareURL(body, kind) {
  const url = new URL(window.location);
  for (const key of ["expr", "wrt", "layout", "kind", "v"]) url.searchParams.delete(key);
  url.searchParams.set("expr", body.expression);
  url.searchParams.set("wrt", body.wrt);
  url.searchParams.set("layout", body.layout);
  if (kind !== "auto") url.searchParams.set("kind", kind);
  for (const [name, spec] of Object.entries(body.variables ?? {})) {
    url.searchParams.append("v", `${name}:${spec.shape.join(",")}:${spec.properties.join(",")}`);
  }
  return url;
}

/** Read a share link's settings into the form; true when it asks for a result. */
function openShareLink(params) {
  if (!params.get("expr")) return false;
  input.value = params.get("expr");
  const layout = params.get("layout");
  if (LAYOUTS.includes(layout)) form.querySelector(`input[name="layout"][value="${layout}"]`).checked = true;
  const kind = params.get("kind") ?? "auto";
  if (KINDS.includes(kind)) form.querySelector(`input[name="kind"][value="${kind}"]`).checked = true;
  declared.clear();
  for (const spec of params.getAll("v")) {
    const [name, shape = "", properties = ""] = spec.split(":");
    if (!name) continue;
    const dims = shape.split(",").map((d) => d.trim()).filter(Boolean).map((d) => (/^\d+$/.test(d) ? Number(d) : d));
    declared.set(name, { shape: dims, properties: properties.split(",").filter((p) => PROPERTIES.includes(p)) });
  }
  return Boolean(params.get("wrt"));
}

/** Say what happened in the polite live region and, after a learner's own request, move the
 * focus to it (the result's heading or the error), so the keyboard carries on from there. */
function report(message, target, moveFocus) {
  status.textContent = message;
  if (moveFocus) target.focus();
}

/** Tell other modules on the page (the tensor view) about a new result, or none. */
function announce(detail) {
  document.dispatchEvent(new CustomEvent("mc:derivative", { detail }));
}

let pending = false;

async function differentiate(event) {
  event?.preventDefault();
  // The button stays enabled while the request runs: disabling the focused button would drop
  // the keyboard focus to the page's body. A second press while one runs is ignored.
  if (pending) return;
  const moveFocus = Boolean(event);
  const body = {
    expression: input.value,
    wrt: wrtSelect.value,
    variables: declarations(),
    layout: selected("layout"),
  };
  const kind = selected("kind");
  if (kind !== "auto") body.kind = kind;
  const button = $("differentiate");
  pending = true;
  button.setAttribute("aria-busy", "true");
  form.dataset.state = "loading"; // then ready (result shown) or error, as the preview
  try {
    const { ok, data } = await postJSON("/api/derivative", body);
    if (!ok) {
      result.hidden = true;
      const error = data.error ?? { message: "Something went wrong." };
      showCaretMessage(resultError, input.value, error);
      resultError.hidden = false;
      form.dataset.state = "error";
      announce(null);
      report(`Not differentiated: ${error.message}`, resultError, moveFocus);
      return;
    }
    renderResult(data);
    announce({ request: body, response: data });
    form.dataset.state = "ready";
    history.replaceState(null, "", shareURL(body, kind));
    report(`${$("result-title").textContent}: ${$("verified-badge").textContent}`, $("result-title"), moveFocus);
  } finally {
    pending = false;
    button.removeAttribute("aria-busy");
  }
}

function loadExample(example) {
  declared.clear();
  for (const [name, spec] of Object.entries(example.variables ?? {})) {
    declared.set(name, { shape: spec.shape ?? [], properties: spec.properties ?? [] });
  }
  input.value = example.expression;
  form.querySelector(`input[name="kind"][value="${example.kind ?? "auto"}"]`).checked = true;
  updatePreview().then(() => {
    wrtSelect.value = example.wrt;
    differentiate();
  });
  input.scrollIntoView({ behavior: "smooth", block: "center" });
}

input.addEventListener("input", schedulePreview);
form.addEventListener("submit", differentiate);
variablesBody.addEventListener("change", (event) => {
  const name = event.target.dataset.name;
  if (!name) return;
  readDeclaration(name);
  updatePreview();
});
for (const button of document.querySelectorAll("button.example")) {
  button.addEventListener("click", () => loadExample(JSON.parse(button.dataset.example)));
}
$("copy-code").addEventListener("click", async () => {
  const button = $("copy-code");
  try {
    await navigator.clipboard.writeText($("numpy-code").textContent);
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("numpy-code"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => (button.textContent = "Copy"), 2000);
});

const params = new URLSearchParams(window.location.search);
const asked = openShareLink(params);
updatePreview().then(() => {
  if (asked && inferred[params.get("wrt")]) {
    wrtSelect.value = params.get("wrt");
    differentiate();
  }
});
