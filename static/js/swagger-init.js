// Starts the vendored Swagger UI on /docs (app/web/api_docs.py). It lives here, not inline,
// so the page runs under `script-src 'self'`; the schema URL comes from a data attribute.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
