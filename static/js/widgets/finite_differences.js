// Finite differences: the error of forward, backward and central differences over h.
import {
  draw, format, frame, liveWidget, noteLines, numberField, parseNumbers, plotHolder, showReadout,
  textField,
} from "./common.js";

const HEIGHT = 420;

export async function mount(root, settings) {
  const { controls, error, plots, readout } = frame(root, "Finite differences: truncation against round-off");
  const f = textField("f(x) =", settings.f || "exp(x)");
  const [x0] = parseNumbers(settings.x || settings.point, [1]);
  const x = numberField("at x =", x0);
  controls.append(f.wrapper, x.wrapper);
  const plot = plotHolder(plots, "Error of three difference quotients against the step h, log-log", HEIGHT);
  const body = () => ({ f: f.input.value, x: Number(x.input.value) || 0 });
  const show = (data) => {
    const best = (name) => `h ≈ ${format(data.best_h[name].h, 2)}, error ${format(data.best_h[name].error, 2)}`;
    showReadout(readout, [
      { label: "f =", tex: data.latex },
      { label: "exact f′(x) =", tex: format(data.exact, 10) },
      { label: "best forward:", text: best("forward"), name: "forward" },
      { label: "best backward:", text: best("backward") },
      { label: "best central:", text: best("central"), name: "central" },
      ...noteLines(data.notes),
    ]);
    return () => draw(plot, data.figure, (layout) => ({ ...layout, height: HEIGHT }));
  };
  const { update, updateSoon } = liveWidget(root, {
    url: "/api/viz/finite-differences", body, show, errorBox: error, plots, textOf: (p) => p.f,
  });
  f.input.addEventListener("input", updateSoon);
  x.input.addEventListener("input", update);
  update();
}
