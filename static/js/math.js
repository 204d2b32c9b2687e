// Typesets the maths the server marked up, with KaTeX in the browser:
//   <span class="math inline">TeX</span>   inline maths ($…$)
//   <div class="math block">TeX</div>      display maths ($$…$$ on its own lines)
//   <span class="math display">TeX</span>  display maths written inside a paragraph
// KaTeX itself (/static/vendor/katex/katex.min.js) is a classic deferred script placed before
// this module in base.html, so it has run by the time this module does.
//
// Other modules reuse this one:  import { typeset, renderTex } from "./math.js";

const KATEX_OPTIONS = {
  throwOnError: false, // a typo in TeX shows red source text instead of breaking the page
  output: "htmlAndMathml", // MathML for screen readers, HTML for the eye
};

function katex() {
  const lib = globalThis.katex;
  if (!lib) {
    throw new Error("KaTeX is not loaded: include katex.min.js before /static/js/math.js");
  }
  return lib;
}

/** Render `tex` into `element`, replacing its content. */
export function renderTex(element, tex, display = false) {
  katex().render(tex, element, { ...KATEX_OPTIONS, displayMode: display });
  element.dataset.tex = tex;
}

/** Typeset every not-yet-typeset `.math` element inside `root`. */
export function typeset(root = document.body) {
  for (const element of root.querySelectorAll(".math:not([data-tex])")) {
    const display = element.tagName === "DIV" || element.classList.contains("display");
    renderTex(element, element.textContent.trim(), display);
  }
}

typeset();
