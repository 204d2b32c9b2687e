// Boxes that scroll sideways (a wide formula, table or code on a phone) can be reached and
// scrolled with the keyboard: while one overflows and holds nothing focusable, it gets
// tabindex="0" and a name; once it fits again (a wider window), it gives them back. Only the
// boxes that really scroll become tab stops, which a server-side tabindex could not know.
//
// Runs on load, when the web fonts arrive, on resize and whenever a page script adds content
// (a calculator result, a verdict). Each pass leaves the window width it saw on <html> as
// data-scroll-checked, which the browser tests wait for.

const SCROLL_BOXES = [
  ".math.block",
  ".math.display",
  "table",
  "pre",
  ".result-math",
  ".step-math",
  ".step-formula",
  ".error-source",
  ".input-error",
  ".verdict",
  ".preview",
  ".grid-cells",
].join(", ");
const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
const MANAGED = "scrollFocus"; // data-scroll-focus="auto": the attributes below are ours

function label(box) {
  if (box.tagName === "TABLE") return box.caption?.textContent.trim() || "Table";
  if (box.tagName === "PRE") return "Code";
  if (box.classList.contains("error-source")) return "Your expression";
  return "Formula";
}

function overflows(box) {
  return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
}

function mark(box) {
  box.dataset[MANAGED] = "auto";
  box.tabIndex = 0;
  if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
    // A table has its own role; other boxes need one that may carry a name.
    if (box.tagName !== "TABLE" && !box.hasAttribute("role")) box.setAttribute("role", "group");
    box.setAttribute("aria-label", label(box));
  } else {
    box.dataset.scrollNamed = "own";
  }
}

function unmark(box) {
  delete box.dataset[MANAGED];
  box.removeAttribute("tabindex");
  if (box.dataset.scrollNamed === "own") {
    delete box.dataset.scrollNamed;
    return;
  }
  if (box.getAttribute("role") === "group") box.removeAttribute("role");
  box.removeAttribute("aria-label");
}

function check() {
  for (const box of document.querySelectorAll(SCROLL_BOXES)) {
    const ours = box.dataset[MANAGED] === "auto";
    if (!ours && box.hasAttribute("tabindex")) continue; // the template made it focusable
    const needed = overflows(box) && !box.querySelector(FOCUSABLE);
    if (needed && !ours) mark(box);
    else if (!needed && ours) unmark(box);
  }
  document.documentElement.dataset.scrollChecked = String(window.innerWidth);
}

let queued = false;
function schedule() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    check();
  });
}

check();
document.fonts?.ready.then(schedule);
window.addEventListener("resize", schedule);
// A plot redraws its own nodes on every frame of a drag: those changes move no box.
const inPlot = (record) => record.target.closest?.(".js-plotly-plot");
new MutationObserver((records) => {
  if (!records.every(inPlot)) schedule();
}).observe(document.body, { childList: true, subtree: true });
