// Start YASGUI on this server's SPARQL endpoint; named queries open in new tabs.
(function () {
  "use strict";
  var found = window.Yasgui;
  var Yasgui = found && (found.default || found);
  var element = document.getElementById("yasgui");
  if (!Yasgui || !element) {
    return;
  }
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var yasgui = new Yasgui(element, {
    requestConfig: {
      endpoint: config.endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    copyEndpointOnNewTab: false,
    persistenceId: "rusmeco-sparql",
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: config.endpoint }];
      },
    },
    // Complete prefixes and variables only: no requests to other sites.
    yasqe: { autocompleters: ["prefixes", "variables"], prefixCcApi: null },
  });
  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var example = examples[Number(link.dataset.example)];
      var tab = yasgui.addTab(true, { name: example.title });
      tab.setQuery(example.sparql);
    });
  });
})();
