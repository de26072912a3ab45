// factgraph: starts YASGUI on #yasgui with the endpoint and the example queries that the
// page carries in <script type="application/json" id="factgraph-yasgui-config">.
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  var configEl = document.getElementById("factgraph-yasgui-config");
  if (!holder || !configEl || typeof Yasgui === "undefined") {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Ctor = Yasgui.default || Yasgui;
  var yasgui = new Ctor(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    autoAddOnInit: false,
    populateFromUrl: false,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
  });
  config.examples.forEach(function (example, i) {
    yasgui.addTab(i === 0, {
      name: example.name,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    });
  });
  if (config.examples.length === 0) {
    yasgui.addTab(true, { requestConfig: { endpoint: endpoint, method: "POST" } });
  }
  // /yasgui#run runs the first example at once (a link that shows results straight away).
  if (window.location.hash === "#run" && yasgui.getTab()) {
    yasgui.getTab().query();
  }
  window.factgraphYasgui = yasgui;
})();
