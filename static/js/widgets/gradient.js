// Gradient and level sets (data-widget="gradient"), or the Hessian and curvature
// (data-widget="hessian"): drag p on the contour plot or type it.
import {
  draw, dragPoints, format, frame, liveWidget, noteLines, numberField, parseNumbers, pause,
  plotHolder, showReadout, texMatrix, texVector, textField,
} from "./common.js";

const SURFACE_QUIET_MS = 120;

const NAMES = {
  minimum: "minimum (positive definite)",
  maximum: "maximum (negative definite)",
  saddle: "saddle (indefinite)",
  degenerate: "singular: flat direction, higher order needed",
};

export async function mount(root, settings) {
  const hessian = settings.widget === "hessian";
  const title = hessian ? "The Hessian and curvature" : "The gradient and level sets";
  const { controls, error, plots, readout } = frame(root, title);
  const f = textField("f(x, y) =", settings.f || (hessian ? "x^2 - y^2" : "x^2 + 2 y^2"));
  const [px, py] = parseNumbers(settings.point, hessian ? [0, 0] : [1, 1]);
  const x = numberField("p: x", px);
  const y = numberField("p: y", py);
  controls.append(f.wrapper, x.wrapper, y.wrapper);
  let u1 = null;
  let u2 = null;
  if (!hessian) {
    const [d1, d2] = parseNumbers(settings.direction, [1, 0]);
    u1 = numberField("u: x", d1);
    u2 = numberField("u: y", d2);
    controls.append(u1.wrapper, u2.wrapper);
  }
  plots.classList.toggle("widget-plots-pair", !hessian);
  const HEIGHT = 420;
  const contour = plotHolder(plots, "Contours of f with the gradient field and the point p", HEIGHT);
  const surface = hessian ? null : plotHolder(plots, "The surface of f with the tangent plane at p", HEIGHT);

  const body = () => {
    const payload = {
      f: f.input.value,
      point: [Number(x.input.value) || 0, Number(y.input.value) || 0],
    };
    if (!hessian) payload.direction = [Number(u1.input.value) || 0, Number(u2.input.value) || 0];
    if (!hessian && payload.direction.every((v) => v === 0)) delete payload.direction;
    return payload;
  };
  const heights = (layout) => ({ ...layout, height: HEIGHT });
  const show = (data) => {
    const lines = [
      { label: "f =", tex: data.latex },
      { label: "f(p) =", tex: format(data.value) },
      { label: "∇f(p) =", tex: texVector(data.gradient), name: "gradient" },
    ];
    if (!hessian && data.directional_derivative !== null) {
      lines.push({ label: "∇f(p)·u (u normalised) =", tex: format(data.directional_derivative),
                   name: "directional" });
    }
    lines.push(
      { label: "H(p) =", tex: texMatrix(data.hessian), name: "hessian" },
      { label: "eigenvalues λ₁, λ₂:", tex: data.eigenvalues.map((v) => format(v)).join(",\\; ") },
      {
        label: data.critical ? "critical point:" : "not critical:",
        text: data.critical ? `${NAMES[data.classification]}. ${data.message}` : data.message,
        name: "classification",
      },
      ...noteLines(data.notes),
    );
    showReadout(readout, lines);
    return async (stale) => {
      await draw(contour, data.figure, heights);
      if (!surface) return;
      // Software WebGL takes far longer to draw the surface than a drag takes to send the
      // next point: while points keep coming, only the contour follows; the surface (and
      // the 3D bundle, loaded on first use) catches up when the point rests.
      await pause(SURFACE_QUIET_MS);
      if (!stale()) await draw(surface, data.surface, heights);
    };
  };
  const { update, updateSoon } = liveWidget(root, {
    url: "/api/viz/gradient", body, show, errorBox: error, plots, textOf: (payload) => payload.f,
  });
  f.input.addEventListener("input", updateSoon);
  for (const input of [x.input, y.input, u1?.input, u2?.input]) input?.addEventListener("input", update);
  dragPoints(contour, ([a, b]) => {
    x.input.value = String(a);
    y.input.value = String(b);
    update();
  });
  update();
}
