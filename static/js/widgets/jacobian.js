// The Jacobian as linearisation: drag p on the input grid (or type it); the image panel shows
// f(patch) against f(p) + J(p)(q − p), and the zoom slider shrinks the patch until they agree.
import {
  draw, dragPoints, format, frame, isNarrow, liveWidget, noteLines, numberField, parseNumbers,
  plotHolder, showReadout, texMatrix, texVector, textField, field,
} from "./common.js";

const DEFAULT_F = "[x + sin(y), y + sin(x)]";

const WIDE_HEIGHT = 440;
const NARROW_HEIGHT = 760;

/** One figure, two panels: side by side on a wide screen, stacked on a phone. */
function adapt(layout, div) {
  if (!isNarrow(div)) return { ...layout, height: WIDE_HEIGHT };
  return {
    ...layout,
    height: NARROW_HEIGHT,
    xaxis: { ...layout.xaxis, domain: [0, 1] },
    yaxis: { ...layout.yaxis, domain: [0.56, 1] },
    xaxis2: { ...layout.xaxis2, domain: [0, 1] },
    yaxis2: { ...layout.yaxis2, domain: [0, 0.44] },
  };
}

export async function mount(root, settings) {
  const { controls, error, plots, readout } = frame(root, "The Jacobian as the best linear map");
  const f = textField("Map f(x, y) = [f₁, f₂]", settings.f || DEFAULT_F);
  const [px, py] = parseNumbers(settings.point, [1, 0.5]);
  const x = numberField("p: x", px);
  const y = numberField("p: y", py);
  const zoom = field("Zoom (patch size)", {
    type: "range", min: "0", max: "3", step: "0.05", value: "0.5",
    "aria-valuetext": "patch radius 0.3",
  });
  const zoomText = document.createElement("output");
  zoomText.className = "muted small";
  zoom.wrapper.append(zoomText);
  controls.append(f.wrapper, x.wrapper, y.wrapper, zoom.wrapper);
  const plot = plotHolder(plots, "Input grid with point p, and its image under f with the linear map",
                         isNarrow(plots) ? NARROW_HEIGHT : WIDE_HEIGHT);

  // Slider 0..3 maps to radius 1 .. 0.001: zooming in means a smaller patch.
  const radius = () => Number((10 ** -Number(zoom.input.value)).toPrecision(3));
  const body = () => ({
    f: f.input.value,
    point: [Number(x.input.value) || 0, Number(y.input.value) || 0],
    radius: radius(),
  });
  let figure = null;
  const show = (data, payload) => {
    figure = data.figure;
    zoomText.textContent = ` patch radius ${payload.radius}`;
    zoom.input.setAttribute("aria-valuetext", `patch radius ${payload.radius}`);
    const p = payload.point;
    showReadout(readout, [
      { label: "f =", tex: data.latex },
      { label: `p = (${format(p[0])}, ${format(p[1])}),  f(p) =`, tex: texVector(data.value) },
      { label: "J(p) =", tex: texMatrix(data.jacobian), name: "jacobian" },
      { label: "det J(p) =", tex: format(data.det), name: "det" },
      {
        label: "linearisation error / patch size:",
        text: data.patch_error === null ? "–" : format(data.patch_error, 3),
      },
      ...noteLines(data.notes),
    ]);
    return () => draw(plot, figure, adapt);
  };
  const { update, updateSoon, paint } = liveWidget(root, {
    url: "/api/viz/jacobian", body, show, errorBox: error, plots, textOf: (payload) => payload.f,
  });
  f.input.addEventListener("input", updateSoon);
  for (const input of [x.input, y.input, zoom.input]) input.addEventListener("input", update);
  dragPoints(plot, ([u, v]) => {
    x.input.value = String(u);
    y.input.value = String(v);
    update();
  });
  // A new width may switch between side by side and stacked: the same figure, laid out again.
  window.addEventListener("resize", () => figure && paint(() => draw(plot, figure, adapt)));
  update();
}
