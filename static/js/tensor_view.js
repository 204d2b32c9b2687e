// The forms of a derivative beside the calculator's result (differential, Kronecker, index),
// shown when the engine returns them. calculator.js announces each result with an
// "mc:derivative" event whose detail is { request, response }, or null after an error.
import { renderTex } from "./math.js";

const view = document.getElementById("tensor-view");
const FORM_TITLES = { differential: "Differential form", kronecker: "Kronecker form", index: "Index form" };

function show(detail) {
  const forms = detail?.response?.forms;
  if (!view || !forms) {
    view?.replaceChildren();
    if (view) view.hidden = true;
    return;
  }
  const items = Object.entries(FORM_TITLES)
    .filter(([key]) => forms[key]?.latex)
    .map(([key, title]) => {
      const block = document.createElement("div");
      block.className = "tensor-form";
      block.dataset.form = key;
      const heading = document.createElement("h4");
      heading.textContent = title;
      const math = document.createElement("div");
      renderTex(math, forms[key].latex, true);
      block.append(heading, math);
      return block;
    });
  view.replaceChildren(...items);
  view.hidden = items.length === 0;
}

document.addEventListener("mc:derivative", (event) => show(event.detail));
