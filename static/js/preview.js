// The live "interpreted as" preview: POST /api/parse as the learner types, then show the
// expression typeset with its shape, or the error with a caret under its position.
import { renderTex } from "./math.js";

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { error: { message: `The server answered ${response.status}.` } };
  }
  return { ok: response.ok, status: response.status, data };
}

export function caretMessage(text, error) {
  if (error.position === null || error.position === undefined) return error.message;
  const position = Math.min(error.position, text.length);
  return `${text}\n${" ".repeat(position)}^\n${error.message}`;
}

export function shapeText(shape) {
  return shape.length === 0 ? "scalar" : shape.length === 1 ? `${shape[0]}×1` : `${shape[0]}×${shape[1]}`;
}

/** One note per reading the server reports ("read `Xw` as X w"): letters run together are read
 * as a product, and the learner must see that reading, never have it made silently. */
export function readingNotes(readings) {
  return (readings ?? []).map((reading) => {
    const note = document.createElement("span");
    note.className = "muted small preview-reading";
    note.textContent = ` · ${reading}`;
    return note;
  });
}

/** Keep `preview` showing how the text of `input` is read; `variables()` gives declarations. */
export function attachPreview(input, preview, errorBox, variables) {
  let timer = 0;
  let latest = 0;
  async function update() {
    const text = input.value;
    const request = ++latest;
    if (!text.trim()) {
      preview.replaceChildren();
      errorBox.hidden = true;
      return;
    }
    const { ok, data } = await postJSON("/api/parse", { expression: text, variables: variables() });
    if (request !== latest) return; // a newer keystroke has its own request
    if (!ok) {
      errorBox.textContent = caretMessage(text, data.error ?? { message: "This cannot be read." });
      errorBox.hidden = false;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    errorBox.hidden = true;
    input.removeAttribute("aria-invalid");
    const label = document.createElement("span");
    label.className = "muted small";
    label.textContent = "interpreted as ";
    const holder = document.createElement("span");
    renderTex(holder, data.latex, false);
    const shape = document.createElement("span");
    shape.className = "muted small";
    shape.textContent = ` (${shapeText(data.shape)})`;
    preview.replaceChildren(label, holder, shape, ...readingNotes(data.readings));
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 180);
  });
}
