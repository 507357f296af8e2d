// The charts of the statistics pages (statistics/page.html, assets/statistics.html,
// judicial/statistics.html; the world map reads the vendored TopoJSON through Vega's loader): the
// Vega-Lite specs the server built with Altair (#chart-specs), drawn by the vendored
// vega-embed into each [data-chart] holder. Vega's expressions are interpreted (ast: true)
// because the pages' Content-Security-Policy forbids eval; the tables beside the charts hold
// the same figures.
(function () {
  "use strict";

  const source = document.getElementById("chart-specs");
  if (!source || typeof vegaEmbed !== "function") {
    return;
  }
  const specs = JSON.parse(source.textContent);
  const options = {
    renderer: "svg",
    ast: true,
    // Export as SVG or PNG; no "open in the Vega editor" (it would send the data away).
    actions: { export: true, source: false, compiled: false, editor: false },
  };
  document.querySelectorAll("[data-chart]").forEach(function (holder) {
    const spec = specs[holder.dataset.chart];
    if (!spec) {
      return;
    }
    vegaEmbed(holder, spec, options)
      .then(function () {
        // vega-embed's export menu opens from a <summary> holding only an icon: name it.
        var summary = holder.querySelector("details > summary");
        if (summary && !summary.hasAttribute("aria-label")) {
          var details = summary.parentElement;
          summary.setAttribute(
            "aria-label",
            holder.dataset.actionsLabel || details.getAttribute("title") || "Export the chart"
          );
        }
        holder.dataset.ready = "true";
      })
      .catch(function (error) {
        holder.dataset.ready = "failed";
        holder.textContent = "The chart could not be drawn (" + error.message + "); the table below holds its figures.";
      });
  });
})();
