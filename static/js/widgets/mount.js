// Bring every widget placeholder on the page to life:
//   <div class="widget" data-widget="jacobian" data-f="[x + sin(y), y + sin(x)]" data-point="1,1">
// Lessons and the explore pages both load this module; Plotly is fetched only if a widget exists,
// and only after the widget's first readout. data-state (see common.js) starts at "loading".
const MODULES = {
  jacobian: "./jacobian.js",
  gradient: "./gradient.js",
  hessian: "./gradient.js",
  "finite-differences": "./finite_differences.js",
  descent: "./descent.js",
};

export async function mountAll(root = document) {
  const widgets = [...root.querySelectorAll(".widget[data-widget]:not([data-mounted])")];
  await Promise.all(widgets.map(async (element) => {
    const path = MODULES[element.dataset.widget];
    if (!path) return;
    element.dataset.mounted = "loading";
    element.dataset.state = "loading";
    try {
      const module = await import(path);
      await module.mount(element, { ...element.dataset });
      element.dataset.mounted = "ready";
    } catch (error) {
      element.dataset.mounted = "failed";
      element.dataset.state = "error";
      const message = document.createElement("p");
      message.className = "widget-error";
      message.textContent = `This figure could not be shown: ${error.message}`;
      element.append(message);
      console.warn(error);
    }
  }));
}

mountAll();
