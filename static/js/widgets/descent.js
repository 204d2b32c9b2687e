// Descent paths: gradient descent or Newton's method from a start point (click the plot to
// move it), with a slider that replays the path iteration by iteration.
import {
  draw, dragPoints, field, format, frame, liveWidget, noteLines, numberField, parseNumbers,
  plotHolder, showReadout, textField,
} from "./common.js";

const HEIGHT = 460;

const STATUS = {
  converged: "converged: the gradient vanished",
  max_iterations: "stopped after the last iteration",
  diverged: "diverged",
  singular: "stopped: the Hessian is singular, Newton's step is undefined",
};

export async function mount(root, settings) {
  const { controls, error, plots, readout } = frame(root, "Descent paths");
  const f = textField("f(x, y) =", settings.f || "x^2 + 2 y^2");
  const [sx, sy] = parseNumbers(settings.start || settings.point, [2.5, 1.5]);
  const x = numberField("start: x", sx);
  const y = numberField("start: y", sy);
  const method = field("Method", {
    type: "select", value: settings.method || "gradient",
    options: [["gradient", "gradient descent"], ["newton", "Newton's method"]],
  });
  const step = numberField("step size", settings.step || 0.1, "0.01");
  const iterations = numberField("iterations", settings.iterations || 20, "1");
  const shown = field("show iterations", { type: "range", min: "0", max: "20", step: "1", value: "20" });
  controls.append(f.wrapper, x.wrapper, y.wrapper, method.wrapper, step.wrapper,
                  iterations.wrapper, shown.wrapper);
  const plot = plotHolder(plots, "Contours of f with the descent path", HEIGHT);
  let figure = null;
  let path = [];
  let values = [];
  let notes = [];

  /** Fill the readout for the first `count` steps; returns the drawing of that much path. */
  function showUpTo(count) {
    const data = figure.data.map((trace, i) => (i === 2
      ? { ...trace, x: trace.x.slice(0, count + 1), y: trace.y.slice(0, count + 1) }
      : trace));
    const last = path[Math.min(count, path.length - 1)];
    const value = values[Math.min(count, values.length - 1)];
    showReadout(readout, [
      { label: `after ${Math.min(count, path.length - 1)} of ${path.length - 1} steps:`,
        text: `(${format(last[0])}, ${format(last[1])}), f = ${format(value)}`, name: "last" },
      { label: "status:", text: figure.reason ? `${STATUS[figure.status]}: ${figure.reason}` : STATUS[figure.status],
        name: "status" },
      ...noteLines(notes),
    ]);
    return () => draw(plot, { data, layout: figure.layout }, (layout) => ({ ...layout, height: HEIGHT }));
  }
  const body = () => ({
    f: f.input.value,
    start: [Number(x.input.value) || 0, Number(y.input.value) || 0],
    method: method.input.value,
    step: Number(step.input.value),
    iterations: Math.round(Number(iterations.input.value)),
  });
  const show = (data) => {
    figure = { ...data.figure, status: data.status, reason: data.reason };
    path = data.path;
    values = data.values;
    notes = data.notes ?? [];
    shown.input.max = String(path.length - 1);
    shown.input.value = String(path.length - 1);
    return showUpTo(path.length - 1);
  };
  const { update, updateSoon, paint } = liveWidget(root, {
    url: "/api/viz/descent", body, show, errorBox: error, plots, textOf: (p) => p.f,
  });
  f.input.addEventListener("input", updateSoon);
  for (const input of [x.input, y.input, method.input, step.input, iterations.input]) {
    input.addEventListener("input", update);
  }
  shown.input.addEventListener("input", () => figure && paint(showUpTo(Number(shown.input.value))));
  dragPoints(plot, ([a, b]) => {
    x.input.value = String(a);
    y.input.value = String(b);
    update();
  });
  update();
}
