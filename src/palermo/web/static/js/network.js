// The link chart (templates/network.html): Cytoscape.js over /network/chart.json.
// Expand a node (double-click), find paths, colour by cell/country/kind, size by a
// centrality, a date window, a timeline of the dated evidence, PNG and GraphML exports.
(function () {
  "use strict";

  const PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
  ];
  const KIND_COLOURS = { Call: "#17becf", Payment: "#2ca02c", Membership: "#9467bd" };

  const container = document.getElementById("chart");
  if (!container || typeof cytoscape === "undefined") {
    return;
  }
  const status = document.getElementById("chart-status");
  const details = document.getElementById("details");
  const seeds = new Set((container.dataset.seeds || "").split(" ").filter(Boolean));
  const depth = container.dataset.depth || "1";

  function colourOf(value) {
    if (value === null || value === undefined || value === "") {
      return "#9e9e9e";
    }
    if (typeof value === "number") {
      return PALETTE[value % PALETTE.length];
    }
    let hash = 0;
    for (const ch of String(value)) {
      hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    }
    return PALETTE[hash % PALETTE.length];
  }

  const cy = cytoscape({
    container: container,
    elements: [],
    wheelSensitivity: 0.3,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 9,
          "text-wrap": "ellipsis",
          "text-max-width": 120,
          "background-color": "data(colour)",
          width: "data(size)",
          height: "data(size)",
          "border-width": 1,
          "border-color": "#555",
        },
      },
      { selector: "node.hit", style: { "border-style": "dashed", "background-color": "#e0e0e0", color: "#666" } },
      { selector: "node.identifier", style: { shape: "round-rectangle" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#000" } },
      {
        selector: "edge",
        style: {
          width: "data(width)",
          "line-color": "data(colour)",
          "target-arrow-color": "data(colour)",
          "curve-style": "bezier",
          opacity: 0.8,
        },
      },
      { selector: "edge.directed", style: { "target-arrow-shape": "triangle", "arrow-scale": 0.8 } },
      { selector: "edge.shared", style: { "line-style": "dashed" } },
      { selector: "edge:selected", style: { label: "data(caption)", "font-size": 8, "line-style": "solid", "overlay-opacity": 0.15 } },
      { selector: ".outside", style: { opacity: 0.08 } },
      { selector: "node.on-path", style: { "border-width": 5, "border-color": "#d62728" } },
      { selector: "edge.on-path", style: { width: 5, "line-color": "#d62728", "target-arrow-color": "#d62728", opacity: 1 } },
    ],
  });
  window.linkChart = cy; // for the browser tests and the console

  function say(text) {
    status.textContent = text;
  }

  async function fetchJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.redirected) {
      // The working context (or the session) has expired: the server asks for it again.
      say("Your working context has expired: reload the page to declare it again.");
      return null;
    }
    const body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      say((body.error && body.error.message) || "The server answered " + response.status);
      return null;
    }
    return body;
  }

  function tieKey(edge) {
    // One drawn tie per pair and kind: ten calls between two phones are one thick line.
    return ["tie", edge.source, edge.target, edge.kind || ""].join("|");
  }

  function evidenceKey(edge) {
    // The same evidence fetched twice (on expanding) counts once.
    return [edge.record || "", edge.time || "", edge.weight].join("|");
  }

  function add(chart) {
    const added = [];
    chart.nodes.forEach(function (node) {
      if (cy.getElementById(node.id).length === 0) {
        const classes = [node.access === "hit" ? "hit" : "", node.records.length ? "" : "identifier"];
        added.push({ group: "nodes", data: Object.assign({}, node, { colour: "#9e9e9e", size: 24 }), classes: classes.join(" ").trim() });
      }
    });
    cy.add(added);
    let more = added.length;
    chart.edges.forEach(function (edge) {
      const id = tieKey(edge);
      let tie = cy.getElementById(id);
      if (tie.length === 0) {
        const classes = [edge.directed ? "directed" : "", (edge.kind || "").startsWith("shared") ? "shared" : ""];
        const data = {
          id: id,
          source: edge.source,
          target: edge.target,
          kind: edge.kind,
          directed: edge.directed,
          evidence: [],
          count: 0,
          width: 1.5,
          caption: edge.kind,
          colour: KIND_COLOURS[edge.kind] || "#888",
        };
        tie = cy.add({ group: "edges", data: data, classes: classes.join(" ").trim() });
      }
      const evidence = tie.data("evidence");
      if (!evidence.some(function (e) { return evidenceKey(e) === evidenceKey(edge); })) {
        evidence.push({ record: edge.record, time: edge.time, weight: edge.weight });
        tie.data("evidence", evidence);
        tie.data("count", evidence.length);
        tie.data("width", 1.5 + 1.5 * Math.log2(evidence.length));
        tie.data("caption", evidence.length > 1 ? edge.kind + " ×" + evidence.length : edge.kind);
        more += 1;
      }
    });
    return more;
  }

  function restyle() {
    const colourBy = document.getElementById("colour-by").value;
    const sizeBy = document.getElementById("size-by").value;
    let largest = 0;
    cy.nodes().forEach(function (n) { largest = Math.max(largest, n.data(sizeBy) || 0); });
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        n.data("colour", colourOf(n.data(colourBy)));
        n.data("size", 18 + 52 * (largest > 0 ? (n.data(sizeBy) || 0) / largest : 0));
      });
    });
  }

  function layout() {
    // Strong repulsion and long ideal edges: cells spread out and labels stay readable.
    cy.layout({
      name: "cose",
      animate: false,
      randomize: false,
      nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 110; },
      nodeOverlap: 20,
      componentSpacing: 80,
      gravity: 60,
      numIter: 1500,
    }).run();
  }

  function inWindow(time) {
    const since = document.getElementById("since").value;
    const until = document.getElementById("until").value;
    const when = (time || "").slice(0, 10);
    if (!when) {
      return true; // undated ties are not ruled out by a window
    }
    return (!since || when >= since) && (!until || when <= until);
  }

  function applyWindow() {
    // A tie is dimmed when every dated piece of its evidence falls outside the window.
    cy.batch(function () {
      cy.edges().forEach(function (e) {
        const dated = e.data("evidence").filter(function (x) { return x.time; });
        e.toggleClass("outside", dated.length > 0 && !dated.some(function (x) { return inWindow(x.time); }));
      });
    });
    document.querySelectorAll("#timeline .mark").forEach(function (mark) {
      mark.classList.toggle("out", !inWindow(mark.dataset.time));
    });
  }

  function renderTimeline() {
    const strip = document.getElementById("timeline");
    strip.replaceChildren();
    const marks = [];
    cy.edges().forEach(function (tie) {
      tie.data("evidence").forEach(function (x) {
        if (x.time) {
          marks.push({ tie: tie, time: x.time, at: Date.parse(x.time) });
        }
      });
    });
    if (!marks.length) {
      document.getElementById("timeline-start").textContent = "No dated evidence in the chart.";
      document.getElementById("timeline-end").textContent = "";
      return;
    }
    marks.sort(function (a, b) { return a.at - b.at; });
    const first = marks[0].at;
    const last = marks[marks.length - 1].at;
    // Marks close in time stack in lanes, so each stays visible and can be selected.
    const lanes = [];
    marks.forEach(function (item) {
      const tie = item.tie;
      const left = last > first ? (100 * (item.at - first)) / (last - first) : 50;
      let lane = lanes.findIndex(function (end) { return left - end >= 1.2; });
      if (lane < 0) {
        lane = lanes.length;
        lanes.push(left);
      }
      lanes[lane] = left;
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "mark";
      mark.dataset.edge = tie.id();
      mark.dataset.time = item.time;
      mark.setAttribute("data-testid", "timeline-mark");
      mark.style.left = left + "%";
      mark.style.bottom = lane * 0.9 + "rem";
      mark.style.background = tie.data("colour");
      const ends = cy.getElementById(tie.data("source")).data("label") + " – " + cy.getElementById(tie.data("target")).data("label");
      mark.title = item.time + " · " + tie.data("kind") + " · " + ends;
      mark.setAttribute("aria-label", mark.title);
      mark.addEventListener("click", function () {
        cy.elements().unselect();
        tie.select();
        tie.connectedNodes().select();
        document.querySelectorAll("#timeline .mark.selected").forEach(function (m) { m.classList.remove("selected"); });
        mark.classList.add("selected");
        say(mark.title);
      });
      strip.appendChild(mark);
    });
    strip.style.height = Math.max(3, lanes.length * 0.9 + 0.5) + "rem";
    document.getElementById("timeline-start").textContent = new Date(first).toISOString().slice(0, 10);
    document.getElementById("timeline-end").textContent = new Date(last).toISOString().slice(0, 10);
    applyWindow();
  }

  function exportLinks() {
    // The files hold what the chart holds: its seeds, depth and date window.
    const query = Array.from(seeds).map(function (s) { return "seed=" + encodeURIComponent(s); });
    query.push("depth=" + encodeURIComponent(depth));
    ["since", "until"].forEach(function (name) {
      const value = document.getElementById(name).value;
      if (value) {
        query.push(name + "=" + encodeURIComponent(value));
      }
    });
    document.getElementById("export-graphml").href = "/network/export?format=graphml&" + query.join("&");
    document.getElementById("export-gexf").href = "/network/export?format=gexf&" + query.join("&");
  }

  function refresh() {
    restyle();
    layout();
    renderTimeline();
    exportLinks();
    let evidence = 0;
    cy.edges().forEach(function (e) { evidence += e.data("count"); });
    say(cy.nodes().length + " nodes, " + cy.edges().length + " ties (" + evidence + " pieces of evidence)");
  }

  async function expand(id) {
    const chart = await fetchJson("/network/chart.json?seed=" + encodeURIComponent(id) + "&depth=1");
    if (chart) {
      seeds.add(id);
      const count = add(chart);
      refresh();
      say("Expanded " + cy.getElementById(id).data("label") + ": " + count + " new nodes and pieces of evidence; " + cy.nodes().length + " nodes");
    }
  }

  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") {
      return;
    }
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }

  function button(label, testid, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("data-testid", testid);
    b.addEventListener("click", action);
    return b;
  }

  function showDetails(node) {
    const heading = document.createElement("h2");
    heading.textContent = node.data("label");
    const list = document.createElement("dl");
    fact(list, "Id", node.id());
    fact(list, "Kind", node.data("kind"));
    fact(list, "Country", node.data("country"));
    fact(list, "Owner", node.data("owner"));
    fact(list, "Access", node.data("access") === "hit" ? "hit only: ask the owner" : node.data("access"));
    fact(list, "Community", node.data("community"));
    fact(list, "Ties", node.data("degree"));
    fact(list, "Betweenness", (node.data("betweenness") || 0).toFixed(4));
    const actions = document.createElement("p");
    actions.className = "actions";
    actions.append(
      button("Expand", "expand", function () { expand(node.id()); }),
      button("Path from here", "path-from-here", function () { document.getElementById("path-from").value = node.id(); }),
      button("Path to here", "path-to-here", function () { document.getElementById("path-to").value = node.id(); })
    );
    if (node.data("access") === "full" && node.data("records").length) {
      const open = document.createElement("a");
      open.href = "/records/" + encodeURIComponent(node.data("records")[0]);
      open.textContent = "Open record";
      actions.append(open);
    }
    details.replaceChildren(heading, list, actions);
  }

  async function findPath(event) {
    event.preventDefault();
    const from = document.getElementById("path-from").value.trim();
    const to = document.getElementById("path-to").value.trim();
    const mode = document.getElementById("path-mode").value;
    const query = "from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to) + "&mode=" + mode;
    const found = await fetchJson("/network/paths.json?" + query);
    if (!found) {
      return;
    }
    add(found.chart);
    refresh();
    cy.elements().removeClass("on-path");
    if (!found.paths.length) {
      say("No " + (mode === "time" ? "time-respecting " : "") + "path between them in what you may see.");
      return;
    }
    const keys = new Set(found.chart.edges.map(tieKey));
    found.paths.forEach(function (path) {
      path.forEach(function (id) { cy.getElementById(id).addClass("on-path"); });
    });
    cy.edges().forEach(function (e) {
      if (keys.has(e.id())) {
        e.addClass("on-path");
      }
    });
    const labels = found.paths[0].map(function (id) { return cy.getElementById(id).data("label"); });
    say((found.paths.length > 1 ? found.paths.length + " paths; the shortest: " : "Path: ") + labels.join(" → "));
  }

  cy.on("tap", "node", function (event) { showDetails(event.target); });
  cy.on("dbltap", "node", function (event) { expand(event.target.id()); });
  document.getElementById("colour-by").addEventListener("change", restyle);
  document.getElementById("size-by").addEventListener("change", restyle);
  ["since", "until"].forEach(function (name) {
    document.getElementById(name).addEventListener("change", function () {
      applyWindow();
      exportLinks();
    });
  });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(); });
  document.getElementById("path-form").addEventListener("submit", findPath);
  document.getElementById("export-png").addEventListener("click", function () {
    const link = document.createElement("a");
    link.href = cy.png({ full: true, scale: 2, bg: "#ffffff" });
    link.download = "link-chart.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  fetchJson(container.dataset.url).then(function (chart) {
    if (!chart) {
      return;
    }
    add(chart);
    refresh();
    const leftOut = chart.left_out && chart.left_out.edges_to_records_not_shown;
    if (leftOut) {
      say(status.textContent + " · " + leftOut + " ties in the evidence lead to records you may not see, and are left out");
    }
    container.dataset.ready = "true";
  });
})();
