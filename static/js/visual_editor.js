// The optional visual maths editor beside each maths box (templates/_macros/forms.html): a
// "Visual editor" toggle shows a MathLive <math-field> in place of the text box. The field's
// LaTeX is written into the box, with an "input" event, so the preview, Differentiate and
// Check read the box as they always do (the expression reader reads LaTeX). Toggled off, the
// plain box is back. The choice holds for every box and is remembered (localStorage).
//
// MathLive (static/vendor/mathlive, 0.8 MB) is imported only when an editor is turned on.
// Its fonts are KaTeX's (the same files; scripts/refresh_vendor.sh checks), and it plays no
// keypress sounds, so it asks this site for nothing else and needs no eval.
// No import of preview.js here: it needs KaTeX, which pages load after this module runs.

const STORAGE_KEY = "mc.visual-editor";
const MATHLIVE = new URL("../vendor/mathlive/mathlive.min.mjs", import.meta.url).href;
const FONTS = new URL("../vendor/katex/fonts", import.meta.url).href;

let mathlive = null;

function loadMathLive() {
  mathlive ??= import(MATHLIVE).then((module) => {
    module.MathfieldElement.fontsDirectory = FONTS;
    module.MathfieldElement.soundsDirectory = null;
    keepFieldAboveKeyboard(window.mathVirtualKeyboard);
    return module;
  });
  return mathlive;
}

/** On a touch screen MathLive's keyboard rises over the foot of the page, where a field near
 * the bottom sits: make room below the page for it, and bring the field in use (and its
 * preview) above it. */
function keepFieldAboveKeyboard(keyboard) {
  if (!keyboard) return;
  keyboard.addEventListener("geometrychange", () => {
    const height = keyboard.visible ? Math.ceil(keyboard.boundingRect.height) : 0;
    document.body.style.paddingBottom = height ? `${height}px` : "";
    const field = document.activeElement;
    if (!height || field?.localName !== "math-field") return;
    // The field with its preview below it, which says how the reader reads it.
    const bottom = (field.closest(".math-input") ?? field).getBoundingClientRect().bottom;
    const room = window.innerHeight - height;
    if (bottom > room) window.scrollBy({ top: bottom - room + 16, behavior: "instant" });
  });
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    return false; // storage refused (a private window): the plain box, as by default
  }
}

function remember(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  } catch {
    // not remembered; the toggle still works on this page
  }
}

/** One box, its toggle and (once made) its math-field. */
class VisualEditor {
  constructor(toggle, box) {
    this.toggle = toggle;
    this.box = box;
    this.holder = toggle.closest(".math-input");
    this.field = null;
    this.writing = false; // the box's "input" event is the field's own echo
    this.request = 0;
    box.addEventListener("input", () => {
      // Text put in the box by the page (a "Did you mean" fix, an example) reaches the field.
      if (!this.writing && this.on) this.fieldFromBox();
    });
  }

  get on() {
    return this.toggle.getAttribute("aria-pressed") === "true";
  }

  /** Show the field in place of the box; `focus` when the learner asked for it just now. */
  async show(focus = false) {
    this.toggle.setAttribute("aria-pressed", "true");
    this.holder.dataset.visual = "loading";
    let module;
    try {
      module = await loadMathLive();
    } catch {
      this.hide();
      this.holder.dataset.visual = "unavailable";
      this.toggle.title = "The visual editor could not be loaded: type in the box.";
      return;
    }
    if (!this.on) return; // turned off while loading
    this.field ??= this.makeField(module.MathfieldElement);
    await this.fieldFromBox();
    if (!this.on) return;
    this.box.hidden = true;
    this.field.hidden = false;
    this.holder.dataset.visual = "on";
    if (focus) this.field.focus();
  }

  hide() {
    this.toggle.setAttribute("aria-pressed", "false");
    this.request += 1; // a reading still on its way is for a field no longer shown
    if (this.field) this.field.hidden = true;
    this.box.hidden = false;
    this.holder.dataset.visual = "off";
  }

  makeField(MathfieldElement) {
    const field = new MathfieldElement();
    field.className = "visual-field";
    const label = this.holder.querySelector(`label[for="${CSS.escape(this.box.id)}"]`);
    field.setAttribute("aria-label", label ? label.textContent.trim() : "Maths");
    // The label names the box; while the field stands in for it, a click on it is for the field.
    label?.addEventListener("click", (event) => {
      if (!this.on) return;
      event.preventDefault();
      field.focus();
    });
    field.setAttribute("aria-describedby", this.box.getAttribute("aria-describedby") ?? "");
    field.smartFence = true;
    field.addEventListener("input", () => {
      this.writing = true;
      this.box.value = field.getValue("latex");
      this.box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText" }));
      this.writing = false;
    });
    // Enter sends the form, as it does from the box (MathLive would only commit the field),
    // except while a \command is being typed, which Enter completes.
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      if (field.mode === "latex") return;
      event.preventDefault();
      event.stopPropagation();
      this.box.form?.requestSubmit();
    }, { capture: true });
    this.box.after(field);
    return field;
  }

  /** Show the box's text in the field: its LaTeX as the reader reads it, or, when it does not
   * read, the text itself (MathLive shows most plain text as the same maths). */
  async fieldFromBox() {
    const text = this.box.value;
    const request = ++this.request;
    let latex = text;
    if (text.trim() && !looksLikeLatex(text)) latex = (await readAsLatex(text)) ?? text;
    if (request !== this.request || !this.field) return;
    if (this.field.getValue("latex") !== latex) {
      this.field.setValue(latex, { silenceNotifications: true });
    }
  }
}

/** How the reader writes `text` in LaTeX (POST /api/parse), or null when it does not read. */
async function readAsLatex(text) {
  try {
    const response = await fetch("/api/parse", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ expression: text }),
    });
    if (!response.ok) return null;
    const data = await response.json();
    return typeof data.latex === "string" ? data.latex : null;
  } catch {
    return null;
  }
}

/** Text the field wrote (a command or a braced group) goes back into it unchanged. */
function looksLikeLatex(text) {
  return /\\[a-zA-Z]|[\^_]\{/.test(text);
}

const editors = [];

function setAll(on, focused) {
  for (const editor of editors) {
    if (on && !editor.on) editor.show(editor === focused);
    else if (!on && editor.on) editor.hide();
  }
}

export function enhanceAll(root = document) {
  for (const toggle of root.querySelectorAll(".visual-toggle:not([data-ready])")) {
    const box = document.getElementById(toggle.dataset.for);
    if (!box) continue;
    toggle.dataset.ready = "true";
    const editor = new VisualEditor(toggle, box);
    editors.push(editor);
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const on = !editor.on;
      remember(on);
      setAll(on, editor);
      if (!on) box.focus();
    });
    if (remembered()) editor.show();
  }
}

enhanceAll();
