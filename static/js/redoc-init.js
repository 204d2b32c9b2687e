// Starts the vendored ReDoc on /redoc (app/web/api_docs.py). It lives here, not inline, so
// the page runs under `script-src 'self'`; the schema URL comes from a data attribute.
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  window.Redoc.init(root.dataset.openapiUrl, {}, root);
})();
