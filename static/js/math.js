// Typesets the maths the server marked up, with KaTeX in the browser:
//   <span class="math inline">TeX</span>   inline maths ($…$)
//   <div class="math block">TeX</div>      display maths ($$…$$ on its own lines)
//   <span class="math display">TeX</span>  display maths written inside a paragraph
// KaTeX itself (/static/vendor/katex/katex.min.js) is a classic deferred script placed before
// this module in base.html, so it has run by the time this module does.
//
// Other modules reuse this one:  import { typeset, renderTex } from "./math.js";

// Some TeX on a page comes from learners (their answers, shared links), so KaTeX runs
// locked down: no \href, \url, \includegraphics or HTML extensions (trust: false), a
// bounded number of macro expansions (a \def that expands itself stops with an error
// instead of hanging the tab), no rule or box larger than MAX_SIZE_EM, and non-standard
// input reported as a console warning rather than obeyed silently. Macros never outlive one
// render: no `macros` object is shared between calls, so \gdef cannot leak into the page.
const MAX_SIZE_EM = 40;
const MAX_TEX_LENGTH = 20000;
const KATEX_OPTIONS = Object.freeze({
  throwOnError: false, // a typo in TeX shows red source text instead of breaking the page
  output: "htmlAndMathml", // MathML for screen readers, HTML for the eye
  trust: false,
  strict: "warn",
  maxExpand: 1000,
  maxSize: MAX_SIZE_EM,
});

function katex() {
  const lib = globalThis.katex;
  if (!lib) {
    throw new Error("KaTeX is not loaded: include katex.min.js before /static/js/math.js");
  }
  return lib;
}

/** Render `tex` into `element`, replacing its content. */
export function renderTex(element, tex, display = false) {
  if (tex.length > MAX_TEX_LENGTH) {
    // Far longer than any formula we write: shown as text, never parsed.
    element.textContent = tex;
    element.classList.add("math-too-long");
  } else {
    katex().render(tex, element, { ...KATEX_OPTIONS, displayMode: display });
  }
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
