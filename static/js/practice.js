// Practice problems: live preview, submit without reloading, verdict and feedback, hints
// revealed one at a time, the worked solution, the attempt count and (on a quiz) the score.
// On a quiz page the answers go to the page's take (data-answer-url on [data-quiz]): one
// counts per question, so an answered question's Check button stays disabled.
import { typeset, renderTex } from "./math.js";
import { attachPreview, postJSON, suggestionLine } from "./preview.js";
import { draw, format } from "./widgets/common.js";

const FEEDBACK_TITLES = {
  correct: "Correct",
  transpose: "Transposed",
  shape: "Wrong shape",
  symmetric_only: "Only if symmetric",
  factor: "Off by a factor",
  sign: "Wrong sign",
  missing_term: "A term is missing",
  term_factor: "One term off by a factor",
  not_symmetrised: "Not symmetrised",
  extra_term: "A term too many",
  known_mistake: "A common mistake",
  uses_property: "Note",
  not_canonical: "Almost",
  format: "Cannot read this",
  limit: "Too slow to check",
  wrong: "Not yet",
};

// In a quiz a wrong answer is final for the take: no "not yet".
const QUIZ_TITLES = { wrong: "Not correct" };

// Feedback is plain text with $…$ maths (authors' messages): typeset only the maths.
function renderMessage(element, text) {
  text.split(/(\$[^$]+\$)/).forEach((part) => {
    if (part.length > 2 && part.startsWith("$") && part.endsWith("$")) {
      const math = document.createElement("span");
      renderTex(math, part.slice(1, -1), false);
      element.append(math);
    } else {
      element.append(document.createTextNode(part));
    }
  });
}

function setupProblem(card) {
  const id = card.dataset.problem;
  const type = card.dataset.type;
  const variables = JSON.parse(card.dataset.variables || "{}");
  const form = card.querySelector(".answer-form");
  const input = card.querySelector(".math-input input");
  const lines = card.querySelector(".derivation-input");
  const errorBox = card.querySelector(".input-error");
  const verdict = card.querySelector(".verdict");
  const count = card.querySelector(".attempt-count");
  const hintButton = card.querySelector(".show-hint");
  const solutionButton = card.querySelector(".show-solution");
  const solution = card.querySelector(".solution");
  const declared = () => (Object.keys(variables).length ? variables : undefined);
  const quiz = card.closest("[data-answer-url]");

  if (input) attachPreview(input, card.querySelector(".preview"), errorBox, declared);
  const grid = card.querySelector("[data-grid]");
  if (grid) setupGrid(grid, input);

  function answerBody() {
    if (type === "choice") {
      const picked = card.querySelector("input[type=radio]:checked");
      return { answer: picked ? picked.value : "" };
    }
    if (type === "derivation") return { lines: lines.value.split("\n").filter((l) => l.trim()) };
    return { answer: input.value };
  }

  function showVerdict(data) {
    verdict.replaceChildren();
    verdict.hidden = false;
    verdict.className = `verdict ${data.correct ? "ok" : data.counted ? "bad" : "format"}`;
    for (const item of data.feedback) {
      const line = document.createElement("p");
      line.className = `feedback feedback-${item.kind}`;
      line.dataset.kind = item.kind;
      const title = document.createElement("strong");
      title.textContent = `${(quiz && QUIZ_TITLES[item.kind]) || FEEDBACK_TITLES[item.kind] || item.kind}: `;
      const message = document.createElement(item.message.includes("\n") ? "pre" : "span");
      if (message.tagName === "PRE") message.textContent = item.message;
      else renderMessage(message, item.message);
      line.append(title, message);
      verdict.append(line);
    }
    if (data.suggestion && input) {
      verdict.append(suggestionLine(data.suggestion, (fixed) => {
        input.value = fixed;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        form.requestSubmit(); // an unreadable answer was not counted: check the fixed one
      }));
    }
    if (data.answer_latex && data.counted) {
      const read = document.createElement("p");
      read.className = "muted small";
      read.textContent = "Your answer: ";
      const tex = document.createElement("span");
      renderTex(tex, data.answer_latex, false);
      read.append(tex);
      verdict.append(read);
    }
    count.textContent = `${data.attempts} attempt${data.attempts === 1 ? "" : "s"}`;
    card.dataset.attempts = String(data.attempts);
    card.dataset.correct = String(data.correct);
    if (data.comparison) verdict.append(comparisonView(data.comparison));
    if (data.solution_available) solutionButton.hidden = false;
    if (data.solution_html) showSolution(data.solution_html);
    document.dispatchEvent(new CustomEvent("practice:graded"));
  }

  // Check disables its button while it waits, which drops the keyboard focus to the page
  // body: bring it to the verdict (which also announces itself, aria-live), never away from
  // a field the learner is typing in.
  function focusVerdict() {
    const active = document.activeElement;
    const onCheck = form.contains(active) && active.type === "submit";
    if (!active || active === document.body || active.disabled || onCheck) {
      verdict.tabIndex = -1;
      verdict.focus();
    }
  }

  function showSolution(html) {
    solution.innerHTML = `<h3>Solution</h3>${html}`;
    solution.hidden = false;
    typeset(solution);
  }

  // The practice page's "Solved" state beside its next-problem link (server-rendered too).
  function markSolved() {
    const state = document.querySelector(".practice-next .solved-state");
    if (!state || state.dataset.solved === "true") return;
    state.dataset.solved = "true";
    state.innerHTML = '<span class="solved-mark">✓ Solved</span>';
  }

  function markAnswered(button) {
    card.dataset.answered = "true";
    button.textContent = "Answered";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (card.dataset.answered === "true") return;
    button.disabled = true;
    card.dataset.state = "loading"; // then "ready" once the verdict for this answer shows
    try {
      const { ok, status, data } = quiz
        ? await postJSON(quiz.dataset.answerUrl, { problem: id, ...answerBody() })
        : await postJSON(`/api/problems/${encodeURIComponent(id)}/attempt`, {
            ...answerBody(),
            explain: true,
          });
      if (!ok) {
        const message = data.error?.message ?? data.detail ?? "Something went wrong.";
        showVerdict({ correct: false, counted: false, attempts: Number(card.dataset.attempts),
                      feedback: [{ kind: "format", message: String(message) }] });
        if (quiz && status === 409) markAnswered(button); // answered in another tab
        return;
      }
      showVerdict(data);
      if (!quiz && data.correct) markSolved();
      if (quiz && data.counted) markAnswered(button);
      if (quiz && data.progress) showTakeProgress(quiz, data.progress);
    } finally {
      button.disabled = card.dataset.answered === "true";
      card.dataset.state = "ready";
      focusVerdict();
    }
  });

  hintButton?.addEventListener("click", () => {
    const list = card.querySelector(".hints");
    const next = list.querySelector("li[hidden]");
    list.hidden = false;
    if (next) {
      next.hidden = false;
      typeset(next);
    }
    if (!list.querySelector("li[hidden]")) hintButton.disabled = true;
  });

  solutionButton.addEventListener("click", async () => {
    const response = await fetch(`/api/problems/${encodeURIComponent(id)}/solution`);
    if (response.ok) showSolution((await response.json()).solution_html);
  });
}

// A value of the comparison as TeX: a number, a list (a column vector) or rows (a matrix).
function texOf(value) {
  if (value === null || value === undefined) return "\\text{no value}";
  if (typeof value === "number") return format(value);
  const rows = Array.isArray(value[0]) ? value : value.map((v) => [v]);
  const cells = rows.map((row) => row.map((v) => (v === null ? "\\cdot" : format(v))).join(" & "));
  return `\\begin{bmatrix}${cells.join(" \\\\ ")}\\end{bmatrix}`;
}

function texCell(value) {
  const cell = document.createElement("td");
  renderTex(cell, texOf(value), false);
  return cell;
}

function row(table, label, ...cells) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = label;
  tr.append(th, ...cells);
  table.append(tr);
  return tr;
}

// "At x = …, your answer gives …, the derivative is …; the first entry that differs is …":
// the server's numbers at one point, a table, and for a gradient in two variables the two
// gradient fields on the contour plot of f.
function comparisonView(comparison) {
  const box = document.createElement("section");
  box.className = "comparison";
  const heading = document.createElement("h3");
  heading.textContent = "Your answer beside the truth, at one point";
  const truthName = comparison.wrt ? "the derivative" : "the expected answer";
  const table = document.createElement("table");
  table.className = "comparison-table";
  const caption = document.createElement("caption");
  caption.textContent = `At this point, your answer and ${truthName}`;
  table.append(caption);
  const body = document.createElement("tbody");
  for (const [name, value] of Object.entries(comparison.at)) {
    const cell = texCell(value);
    row(body, `at ${name} =`, cell).classList.add("comparison-at");
  }
  row(body, "your answer gives", texCell(comparison.answer)).classList.add("comparison-answer");
  row(body, `${truthName} is`, texCell(comparison.expected)).classList.add("comparison-expected");
  const first = comparison.first_difference;
  const differs = document.createElement("td");
  if (first) {
    const where = comparison.expected_shape[0] === 1 && comparison.expected_shape[1] === 1
      ? "the value"
      : `entry (${first.index[0]}, ${first.index[1]})`;
    differs.textContent = `${where}: yours ${format(first.answer)}, ${truthName} ${format(first.expected)}`;
  } else if (comparison.answer_shape && comparison.answer_shape.join("×") !== comparison.expected_shape.join("×")) {
    differs.textContent = `the shape: yours is ${comparison.answer_shape.join("×")}, ${truthName} ${comparison.expected_shape.join("×")}`;
  } else if (comparison.answer === null) {
    differs.textContent = "your answer has no value at this point";
  } else {
    differs.textContent = "none at this point (they differ at others)";
  }
  row(body, "first entry that differs", differs).classList.add("comparison-first");
  const check = comparison.finite_difference;
  if (check) {
    const tr = row(body, `central differences of f (h = ${check.step.toExponential()})`, texCell(check.value));
    tr.classList.add("comparison-check");
    tr.title = check.formula;
  }
  table.append(body);
  box.append(heading, table);
  if (check) {
    const note = document.createElement("p");
    note.className = "muted small";
    note.textContent = `Check it yourself: ${check.formula}.`;
    box.append(note);
  }
  if (comparison.figure) {
    const plot = document.createElement("div");
    plot.className = "comparison-plot";
    plot.setAttribute("role", "img");
    plot.setAttribute("aria-label", comparison.figure_description ?? "The two answers in a figure");
    plot.dataset.figure = "drawing";
    const caption = document.createElement("p");
    caption.className = "muted small comparison-caption";
    caption.textContent = comparison.figure_description ?? "";
    box.append(caption, plot);
    draw(plot, comparison.figure)
      .then(() => { plot.dataset.figure = "drawn"; })
      .catch(() => { plot.dataset.figure = "failed"; plot.textContent = "The figure could not be drawn."; });
  }
  return box;
}

// A matrix answer typed cell by cell: the grid writes the literal [a, b; c, d] into the
// text input, so the preview, the submission and the grader see one format.
function setupGrid(grid, input) {
  const rowsInput = grid.querySelector(".grid-rows");
  const colsInput = grid.querySelector(".grid-cols");
  const cells = grid.querySelector(".grid-cells");
  const size = (field) => Math.min(6, Math.max(1, Number(field.value) || 1));

  function writeLiteral() {
    const rows = [...cells.querySelectorAll(".grid-row")].map((row) =>
      [...row.querySelectorAll("input")].map((cell) => cell.value.trim() || "0").join(", "),
    );
    const touched = [...cells.querySelectorAll("input")].some((cell) => cell.value.trim());
    if (!touched) return;
    input.value = `[${rows.join("; ")}]`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function build() {
    const current = cells.querySelectorAll(".grid-row");
    const sameSize =
      current.length === size(rowsInput) &&
      current[0]?.querySelectorAll("input").length === size(colsInput);
    if (sameSize) return; // a change event without a new size must not replace the cells
    const old = [...current].map((row) =>
      [...row.querySelectorAll("input")].map((cell) => cell.value),
    );
    cells.replaceChildren();
    for (let i = 0; i < size(rowsInput); i++) {
      const row = document.createElement("div");
      row.className = "grid-row";
      for (let j = 0; j < size(colsInput); j++) {
        const cell = document.createElement("input");
        cell.type = "text";
        cell.inputMode = "decimal";
        cell.value = old[i]?.[j] ?? "";
        cell.setAttribute("aria-label", `row ${i + 1}, column ${j + 1}`);
        cell.addEventListener("input", writeLiteral);
        row.append(cell);
      }
      cells.append(row);
    }
    writeLiteral();
  }

  rowsInput.addEventListener("change", build);
  colsInput.addEventListener("change", build);
  build();
}

// The take's progress as the server counted it ("2 of 5 answered", "You scored 4 of 5"); the
// retake button shows once every question is answered.
function showTakeProgress(quiz, progress) {
  quiz.querySelector(".quiz-score").textContent = progress.message;
  quiz.dataset.answered = String(progress.answered);
  quiz.dataset.correct = String(progress.correct);
  quiz.dataset.finished = String(progress.finished);
  quiz.querySelector(".quiz-retake").hidden = !progress.finished;
}

document.querySelectorAll(".practice-problem").forEach(setupProblem);
