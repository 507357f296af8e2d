// The flow diagram of a trace (templates/finintel/trace.html): the traced flows of
// #trace-data drawn as a Sankey diagram in plain SVG — accounts in columns by hop, the
// money moving left to right (forward: from the origin; backward: towards it), bands as
// wide as the traced euros they carried. No library and nothing fetched: it draws offline.
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
  ];
  const CASH = "#9e9e9e";
  const MAX_BANDS = 150; // the largest; the tables below the diagram list every flow
  const NODE_WIDTH = 14;
  const GAP = 10; // between the accounts of a column
  const MARGIN = { top: 26, right: 190, bottom: 12, left: 12 };

  const holder = document.getElementById("sankey");
  const source = document.getElementById("trace-data");
  if (!holder || !source) {
    return;
  }
  const status = document.getElementById("sankey-status");
  const data = JSON.parse(source.textContent);

  function el(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function money(value) {
    return value.toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function colourOf(account, cash) {
    if (cash) {
      return CASH;
    }
    let hash = 0;
    for (const ch of String(account)) {
      hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    }
    return PALETTE[hash % PALETTE.length];
  }

  function shorten(text, size) {
    return text.length > size ? text.slice(0, size - 1) + "…" : text;
  }

  // 1. Bands: the flows summed by (account, column) → (account, column). An account met at
  // several hops (a cycle) has a node in each of those columns.
  const forward = data.direction !== "backward";
  const deepest = data.flows.reduce(function (m, f) { return Math.max(m, f.hop); }, 0);
  function columnsOf(hop) {
    return forward ? [hop - 1, hop] : [deepest - hop, deepest - hop + 1];
  }
  const summed = new Map();
  data.flows.forEach(function (flow) {
    const columns = columnsOf(flow.hop);
    const from = { account: flow.source || "cash in", cash: !flow.source, column: columns[0] };
    const to = { account: flow.target || "cash out", cash: !flow.target, column: columns[1] };
    const key = JSON.stringify([from.account, from.column, to.account, to.column]);
    let band = summed.get(key);
    if (!band) {
      band = { from: from, to: to, value: 0 };
      summed.set(key, band);
    }
    band.value += flow.attributed_eur;
  });
  let bands = Array.from(summed.values())
    .filter(function (b) { return b.value > 0; })
    .sort(function (a, b) { return b.value - a.value; });
  const dropped = Math.max(0, bands.length - MAX_BANDS);
  bands = bands.slice(0, MAX_BANDS);
  if (!bands.length) {
    status.textContent = "No traced money to draw.";
    return;
  }

  // 2. Nodes: an account in a column, as tall as the most that went in or out of it.
  const nodes = new Map();
  function nodeOf(end) {
    const key = JSON.stringify([end.account, end.column]);
    let node = nodes.get(key);
    if (!node) {
      node = { account: end.account, cash: end.cash, column: end.column, in: 0, out: 0, incoming: [], outgoing: [] };
      nodes.set(key, node);
    }
    return node;
  }
  bands.forEach(function (band) {
    band.source = nodeOf(band.from);
    band.target = nodeOf(band.to);
    band.source.out += band.value;
    band.target.in += band.value;
    band.source.outgoing.push(band);
    band.target.incoming.push(band);
  });
  const columns = [];
  nodes.forEach(function (node) {
    node.value = Math.max(node.in, node.out);
    (columns[node.column] = columns[node.column] || []).push(node);
  });
  for (let c = 0; c < columns.length; c += 1) {
    columns[c] = columns[c] || [];
  }

  // 3. Layout: the scale that fits the fullest column; each column ordered by where its
  // money comes from (fewer crossings), centred vertically.
  const tallest = columns.reduce(function (m, col) { return Math.max(m, col.length); }, 1);
  const width = Math.max(holder.clientWidth || 900, columns.length * 190 + MARGIN.right);
  const height = Math.max(280, Math.min(1800, tallest * 36 + MARGIN.top + MARGIN.bottom));
  const inner = height - MARGIN.top - MARGIN.bottom;
  let scale = Infinity;
  columns.forEach(function (col) {
    const total = col.reduce(function (s, n) { return s + n.value; }, 0);
    if (total > 0) {
      scale = Math.min(scale, (inner - GAP * (col.length - 1)) / total);
    }
  });
  if (!isFinite(scale) || scale <= 0) {
    scale = 1;
  }
  const step = columns.length > 1 ? (width - MARGIN.left - MARGIN.right - NODE_WIDTH) / (columns.length - 1) : 0;
  columns.forEach(function (col, c) {
    if (c === 0) {
      col.sort(function (a, b) { return b.value - a.value; });
    } else {
      col.forEach(function (node) {
        let weight = 0;
        let sum = 0;
        node.incoming.forEach(function (b) {
          if (b.source.y !== undefined) {
            weight += b.value;
            sum += b.value * (b.source.y + b.source.height / 2);
          }
        });
        // Rounded: the same sources give the same order whatever the float error.
        node.order = weight > 0 ? Math.round(sum / weight) : Infinity;
      });
      col.sort(function (a, b) { return a.order - b.order || b.value - a.value; });
    }
    let used = 0;
    col.forEach(function (node) {
      node.height = Math.max(1, node.value * scale);
      used += node.height;
    });
    used += GAP * Math.max(0, col.length - 1);
    let y = MARGIN.top + Math.max(0, (inner - used) / 2);
    col.forEach(function (node) {
      node.x = MARGIN.left + c * step;
      node.y = y;
      y += node.height + GAP;
    });
  });

  // Where each band leaves its source and reaches its target: stacked in the order of the
  // other end, so bands do not cross at the nodes.
  nodes.forEach(function (node) {
    let offset = 0;
    node.outgoing
      .sort(function (a, b) { return a.target.y - b.target.y; })
      .forEach(function (band) {
        band.width = Math.max(1, band.value * scale);
        band.y0 = node.y + offset + band.width / 2;
        offset += band.width;
      });
    offset = 0;
    node.incoming
      .sort(function (a, b) { return a.source.y - b.source.y; })
      .forEach(function (band) {
        band.y1 = node.y + offset + Math.max(1, band.value * scale) / 2;
        offset += Math.max(1, band.value * scale);
      });
  });

  // 4. Drawing.
  const svg = el("svg", {
    width: width,
    height: height,
    viewBox: "0 0 " + width + " " + height,
    role: "img",
    "aria-label": "Flow diagram of the traced money: " + bands.length + " bands between " + nodes.size + " accounts",
    "data-testid": "sankey-svg",
  });
  columns.forEach(function (col, c) {
    const hop = forward ? c : deepest - c;
    const text = el("text", { x: MARGIN.left + c * step, y: 14, class: "column-label" }, svg);
    text.textContent = hop === 0 ? "origin" : "hop " + hop;
  });
  const bandLayer = el("g", { class: "bands" }, svg);
  bands.forEach(function (band) {
    const x0 = band.source.x + NODE_WIDTH;
    const x1 = band.target.x;
    const middle = (x0 + x1) / 2;
    const path = el("path", {
      class: "band",
      d: "M" + x0 + "," + band.y0 + " C" + middle + "," + band.y0 + " " + middle + "," + band.y1 + " " + x1 + "," + band.y1,
      stroke: colourOf(band.source.account, band.source.cash),
      "stroke-width": band.width,
      "data-testid": "sankey-band",
      "data-source": band.from.account,
      "data-target": band.to.account,
      "data-value": band.value.toFixed(2),
    }, bandLayer);
    const title = el("title", {}, path);
    title.textContent = band.from.account + " → " + band.to.account + ": " + money(band.value) + " EUR";
    band.path = path;
  });
  const nodeLayer = el("g", { class: "nodes" }, svg);
  nodes.forEach(function (node) {
    let parent = nodeLayer;
    if (!node.cash) {
      parent = el("a", { href: "/finintel/accounts/" + encodeURIComponent(node.account) }, nodeLayer);
    }
    const group = el("g", { class: "node" + (node.cash ? " cash" : ""), "data-testid": "sankey-node", "data-account": node.account }, parent);
    el("rect", { x: node.x, y: node.y, width: NODE_WIDTH, height: node.height, fill: colourOf(node.account, node.cash) }, group);
    // Right of the node (the last column's labels fill the right margin), haloed in white
    // where they lie over the bands leaving it.
    const label = el("text", {
      x: node.x + NODE_WIDTH + 4,
      y: node.y + node.height / 2,
      "dominant-baseline": "middle",
    }, group);
    label.textContent = shorten(node.account, 26) + " · " + money(node.value);
    const title = el("title", {}, group);
    title.textContent = node.account + ": in " + money(node.in) + " EUR, out " + money(node.out) + " EUR";
    group.addEventListener("mouseenter", function () {
      node.incoming.concat(node.outgoing).forEach(function (b) { b.path.classList.add("lit"); });
    });
    group.addEventListener("mouseleave", function () {
      node.incoming.concat(node.outgoing).forEach(function (b) { b.path.classList.remove("lit"); });
    });
  });
  holder.replaceChildren(svg);
  holder.dataset.bands = String(bands.length);
  holder.dataset.ready = "true";
  status.textContent = bands.length + " bands between " + nodes.size + " accounts" +
    (dropped ? "; the " + dropped + " smallest are left out of the diagram." : ".");
})();
