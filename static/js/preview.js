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

/** "Did you mean `sigmoid(x)`?" with a button that applies the fix: `apply(text)` replaces the
 * input's text and runs it again. The server sends `suggestion` (the whole text with one fix,
 * already checked to read) on a parse error; nothing is shown without one. */
export function suggestionLine(suggestion, apply) {
  const line = document.createElement("p");
  line.className = "suggestion";
  line.append(document.createTextNode("Did you mean "));
  const button = document.createElement("button");
  button.type = "button";
  button.className = "suggestion-apply";
  const code = document.createElement("code");
  code.textContent = suggestion;
  button.append(code);
  button.setAttribute("aria-label", `Did you mean ${suggestion}? Use it`);
  button.addEventListener("click", () => apply(suggestion));
  line.append(button, document.createTextNode("?"));
  return line;
}

/** Show `error` for `text` in `box`: the caret message and, if the server suggests a fix,
 * the button applying it (calculator and widgets may call this instead of caretMessage). */
export function showInputError(box, text, error, apply) {
  box.replaceChildren(document.createTextNode(caretMessage(text, error)));
  if (error.suggestion && apply) box.append(suggestionLine(error.suggestion, apply));
  box.hidden = false;
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

/** Keep `preview` showing how the text of `input` is read; `variables()` gives declarations.
 * When the latest text cannot be read, the preview is emptied (it showed an earlier text) and
 * the error box says why, with the server's suggested fix as a button. */
export function attachPreview(input, preview, errorBox, variables) {
  let timer = 0;
  let latest = 0;
  function apply(fixed) {
    input.value = fixed;
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  async function update() {
    const text = input.value;
    const request = ++latest;
    if (!text.trim()) {
      preview.replaceChildren();
      delete preview.dataset.state;
      errorBox.hidden = true;
      return;
    }
    const { ok, data } = await postJSON("/api/parse", { expression: text, variables: variables() });
    if (request !== latest) return; // a newer keystroke has its own request
    if (!ok) {
      preview.replaceChildren(); // never the reading of an older text beside this error
      preview.dataset.state = "error";
      showInputError(errorBox, text, data.error ?? { message: "This cannot be read." }, apply);
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
    preview.dataset.state = "ready";
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (preview.dataset.state) preview.dataset.state = "pending"; // shown dimmed until read
    timer = setTimeout(update, 180);
  });
}
