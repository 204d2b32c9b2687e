// The symbol bar above each maths box (templates/_macros/symbol_bar.html): a tap puts plain
// text the expression reader reads at the box's caret, as if typed, and the box keeps the
// focus, so a phone's keyboard stays open and the preview follows (it listens for "input").
//   data-insert="inv({})"   inserts inv() with the caret at the first {} (or after the text)
//   data-move="-1" | "1"    moves the caret one character
// The bar is one tab stop (a toolbar): Left and Right move between its buttons.

/** Put `template` (its "{}" blanks removed) in place of the selection of `input`. */
export function insertAtCaret(input, template, fromEnd = false) {
  const text = template.replaceAll("{}", "");
  const blank = template.indexOf("{}");
  const start = fromEnd ? input.value.length : input.selectionStart ?? input.value.length;
  const end = fromEnd ? start : input.selectionEnd ?? start;
  input.setRangeText(text, start, end, "end");
  const caret = start + (blank >= 0 ? blank : text.length);
  input.setSelectionRange(caret, caret);
  input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: text }));
}

function moveCaret(input, step) {
  const from = step < 0 ? input.selectionStart : input.selectionEnd;
  const caret = Math.max(0, Math.min(input.value.length, from + step));
  input.setSelectionRange(caret, caret);
}

function enhance(bar) {
  const input = document.getElementById(bar.dataset.for);
  if (!input) return;
  bar.dataset.ready = "true";
  // Until the learner has been in the box, its caret is nowhere they chose: insert at the end.
  let visited = false;
  input.addEventListener("focus", () => { visited = true; }, { once: true });
  const buttons = [...bar.querySelectorAll("button")];
  buttons.forEach((button, i) => { button.tabIndex = i === 0 ? 0 : -1; });

  // A press on a button must not take the focus from the box (the compatibility mousedown
  // of a tap included): the caret stays where it was and the keyboard stays up.
  bar.addEventListener("mousedown", (event) => {
    if (event.target.closest("button")) event.preventDefault();
  });
  bar.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const fromEnd = !visited;
    input.focus({ preventScroll: true });
    if (button.dataset.move) moveCaret(input, Number(button.dataset.move));
    else insertAtCaret(input, button.dataset.insert, fromEnd);
  });
  bar.addEventListener("keydown", (event) => {
    const at = buttons.indexOf(event.target);
    if (at < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    const to = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1
      : step ? (at + step + buttons.length) % buttons.length : -1;
    if (to < 0) return;
    event.preventDefault();
    buttons[at].tabIndex = -1;
    buttons[to].tabIndex = 0;
    buttons[to].focus();
  });
}

export function enhanceAll(root = document) {
  for (const bar of root.querySelectorAll(".symbol-bar:not([data-ready])")) enhance(bar);
}

enhanceAll();
