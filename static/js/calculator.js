// The matrix-derivative calculator: live preview, editable variables, result and steps.
import { renderTex } from "./math.js";
import { readingNotes } from "./preview.js";

const $ = (id) => document.getElementById(id);
const form = $("calc-form");
const input = $("expression");
const preview = $("expression-preview");
const inputError = $("expression-error");
const wrtSelect = $("wrt");
const variablesBody = $("variables-body");
const result = $("result");
const resultError = $("result-error");

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

function caretMessage(text, error) {
  if (error.position === null || error.position === undefined) return error.message;
  const position = Math.min(error.position, text.length);
  return `${text}\n${" ".repeat(position)}^\n${error.message}`;
}

function showInputError(error) {
  inputError.textContent = caretMessage(input.value, error);
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
    for (const property of ["symmetric", "spd", "diagonal", "positive", "simplex"]) {
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

/** Tell other modules on the page (the tensor view) about a new result, or none. */
function announce(detail) {
  document.dispatchEvent(new CustomEvent("mc:derivative", { detail }));
}

async function differentiate(event) {
  event?.preventDefault();
  const body = {
    expression: input.value,
    wrt: wrtSelect.value,
    variables: declarations(),
    layout: selected("layout"),
  };
  const kind = selected("kind");
  if (kind !== "auto") body.kind = kind;
  const button = $("differentiate");
  button.disabled = true;
  form.dataset.state = "loading"; // then ready (result shown) or error, as the preview
  try {
    const { ok, data } = await postJSON("/api/derivative", body);
    if (!ok) {
      result.hidden = true;
      const error = data.error ?? { message: "Something went wrong." };
      resultError.textContent = caretMessage(input.value, error);
      resultError.hidden = false;
      form.dataset.state = "error";
      announce(null);
      return;
    }
    renderResult(data);
    announce({ request: body, response: data });
    form.dataset.state = "ready";
    const url = new URL(window.location);
    url.searchParams.set("expr", input.value);
    url.searchParams.set("wrt", body.wrt);
    history.replaceState(null, "", url);
  } finally {
    button.disabled = false;
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
if (params.get("expr")) input.value = params.get("expr");
updatePreview().then(() => {
  if (params.get("wrt") && inferred[params.get("wrt")]) {
    wrtSelect.value = params.get("wrt");
    differentiate();
  }
});
