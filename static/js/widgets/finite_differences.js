// Finite differences: the error of forward, backward and central differences over h.
import {
  draw, format, frame, numberField, parseNumbers, plotHolder, requester, showReadout, textField,
} from "./common.js";

export async function mount(root, settings) {
  const { controls, error, plots, readout } = frame(root, "Finite differences: truncation against round-off");
  const f = textField("f(x) =", settings.f || "exp(x)");
  const [x0] = parseNumbers(settings.x || settings.point, [1]);
  const x = numberField("at x =", x0);
  controls.append(f.wrapper, x.wrapper);
  const plot = plotHolder(plots, "Error of three difference quotients against the step h, log-log");
  const body = () => ({ f: f.input.value, x: Number(x.input.value) || 0 });
  const apply = async (data) => {
    await draw(plot, data.figure, (layout) => ({ ...layout, height: 420 }));
    const best = (name) => `h ≈ ${format(data.best_h[name].h, 2)}, error ${format(data.best_h[name].error, 2)}`;
    showReadout(readout, [
      { label: "f =", tex: data.latex },
      { label: "exact f′(x) =", tex: format(data.exact, 10) },
      { label: "best forward:", text: best("forward"), name: "forward" },
      { label: "best backward:", text: best("backward") },
      { label: "best central:", text: best("central"), name: "central" },
    ]);
  };
  const update = requester("/api/viz/finite-differences", body, apply, error, (p) => p.f);
  let typing = 0;
  f.input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(update, 250);
  });
  x.input.addEventListener("input", update);
  update();
}
