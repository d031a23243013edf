// rnmt reports: small drawing helpers shared by both reports (SVG for charts with text, canvas for
// large heatmaps). Everything the page shows comes from the JSON in #rnmt-data.
"use strict";
const rnmt = {};
rnmt.data = JSON.parse(document.getElementById("rnmt-data").textContent);
rnmt.errors = [];
window.addEventListener("error", (e) => rnmt.errors.push(String(e.message)));

rnmt.el = function (tag, attrs, children) {
  const svgTags = ["svg", "g", "rect", "line", "path", "text", "polyline", "circle", "title"];
  const node = svgTags.includes(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else node.setAttribute(k, v);
  }
  for (const c of children || []) if (c) node.appendChild(c);
  return node;
};

rnmt.fmt = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
  ? Number(v).toExponential(2) : Number(v).toPrecision(4).replace(/\.?0+$/, ""));

// Colours: sequential (0..1, white to dark blue) and diverging (-1..1, blue-white-red).
rnmt.sequential = function (v) {
  const x = Math.max(0, Math.min(1, v));
  return [Math.round(255 - 225 * x), Math.round(255 - 180 * x), Math.round(255 - 95 * x)];
};
rnmt.diverging = function (v) {
  const x = Math.max(-1, Math.min(1, v));
  return x >= 0 ? [255, Math.round(255 - 190 * x), Math.round(255 - 200 * x)]
    : [Math.round(255 + 200 * x), Math.round(255 + 150 * x), 255];
};

// A rows x cols heatmap on a canvas, cell size chosen to fit maxWidth; values row-major.
// scale: {kind: "sequential" | "diverging", max}. onPick(row, col) when a cell is clicked.
rnmt.heatmap = function (values, rows, cols, scale, opts) {
  opts = opts || {};
  const cell = Math.max(1, Math.min(opts.maxCell || 12, Math.floor((opts.maxWidth || 700) / Math.max(1, cols))));
  const cellH = Math.max(opts.minRowHeight || 1, Math.min(opts.maxCell || 12, cell * (opts.rowAspect || 1)));
  const canvas = rnmt.el("canvas", {class: "heatmap", width: cols * cell, height: Math.round(rows * cellH)});
  const ctx = canvas.getContext("2d");
  const colour = scale.kind === "diverging" ? rnmt.diverging : rnmt.sequential;
  const max = scale.max || 1;
  for (let r = 0; r < rows; ++r)
    for (let c = 0; c < cols; ++c) {
      const [R, G, B] = colour(values[r * cols + c] / max);
      ctx.fillStyle = `rgb(${R},${G},${B})`;
      ctx.fillRect(c * cell, Math.round(r * cellH), cell, Math.ceil(cellH));
    }
  if (opts.onPick)
    canvas.addEventListener("click", (e) => {
      const box = canvas.getBoundingClientRect();
      opts.onPick(Math.floor((e.clientY - box.top) / cellH), Math.floor((e.clientX - box.left) / cell));
    });
  canvas.title = opts.title || "";
  return canvas;
};

// A labelled heatmap in SVG (attention): rows and columns named by tokens.
rnmt.labelledHeatmap = function (values, rowLabels, colLabels) {
  const cell = 22, left = 8 + 7 * Math.max(4, ...rowLabels.map((s) => s.length)),
    top = 8 + 6 * Math.max(4, ...colLabels.map((s) => s.length));
  const svg = rnmt.el("svg", {width: left + cell * colLabels.length + 10, height: top + cell * rowLabels.length + 10});
  colLabels.forEach((label, j) => svg.appendChild(rnmt.el("text", {
    x: left + j * cell + cell / 2 + 4, y: top - 4, transform: `rotate(-60 ${left + j * cell + cell / 2 + 4} ${top - 4})`, text: label})));
  rowLabels.forEach((label, i) => {
    svg.appendChild(rnmt.el("text", {x: left - 4, y: top + i * cell + cell / 2 + 4, "text-anchor": "end", text: label}));
    colLabels.forEach((_, j) => {
      const v = values[i * colLabels.length + j];
      const [R, G, B] = rnmt.sequential(v);
      svg.appendChild(rnmt.el("rect", {x: left + j * cell, y: top + i * cell, width: cell - 1, height: cell - 1,
        fill: `rgb(${R},${G},${B})`}, [rnmt.el("title", {text: `${label} → ${colLabels[j]}: ${rnmt.fmt(v)}`})]));
    });
  });
  return svg;
};

// A line chart: series [{name, points: [[x, y], ...], colour}], optional log y axis.
rnmt.lineChart = function (series, opts) {
  opts = opts || {};
  // Several series: their names in a column right of the plot, where they hide no line.
  const legend = series.length > 1 ? 96 : 0;
  const W = (opts.width || 460) + legend, H = opts.height || 220, L = 58, R = 12 + legend, T = 22, B = 34;
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]) && (!opts.logY || p[1] > 0));
  const svg = rnmt.el("svg", {width: W, height: H, class: "chart"});
  svg.appendChild(rnmt.el("text", {x: L, y: 14, text: opts.title || ""}));
  if (!pts.length) {
    svg.appendChild(rnmt.el("text", {x: L, y: H / 2, text: "no data"}));
    return svg;
  }
  const ty = (v) => (opts.logY ? Math.log10(v) : v);
  let x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  let y0 = Math.min(...pts.map((p) => ty(p[1]))), y1 = Math.max(...pts.map((p) => ty(p[1])));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { const pad = y0 !== 0 ? Math.abs(y0) * 0.1 : 0.5; y0 -= pad; y1 += pad; }
  const sx = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y) => T + (1 - (ty(y) - y0) / (y1 - y0)) * (H - T - B);
  svg.appendChild(rnmt.el("line", {class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B}));
  svg.appendChild(rnmt.el("line", {class: "axis", x1: L, y1: T, x2: L, y2: H - B}));
  for (let k = 0; k <= 4; ++k) {
    const yv = y0 + ((y1 - y0) * k) / 4;
    svg.appendChild(rnmt.el("text", {x: L - 4, y: sy(opts.logY ? Math.pow(10, yv) : yv) + 4, "text-anchor": "end",
      text: rnmt.fmt(opts.logY ? Math.pow(10, yv) : yv)}));
  }
  // x ticks: every token when a sentence is short enough to label, else five evenly spaced.
  const xTicks = opts.xLabels && x1 - x0 <= 30 ? Array.from({length: x1 - x0 + 1}, (_, k) => x0 + k)
    : [0, 1, 2, 3, 4].map((k) => x0 + ((x1 - x0) * k) / 4);
  xTicks.forEach((xv, k) => {
    const label = opts.xLabels ? opts.xLabels[Math.round(xv)] || "" : rnmt.fmt(xv);
    const y = H - B + 14 + (opts.xLabels && xTicks.length > 8 ? (k % 2) * 10 : 0);
    svg.appendChild(rnmt.el("text", {x: sx(xv), y, "text-anchor": "middle", text: label}));
  });
  if (opts.xTitle) svg.appendChild(rnmt.el("text", {x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", text: opts.xTitle}));
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
  series.forEach((s, i) => {
    const ok = s.points.filter((p) => Number.isFinite(p[1]) && (!opts.logY || p[1] > 0));
    const colour = s.colour || palette[i % palette.length];
    svg.appendChild(rnmt.el("polyline", {fill: "none", stroke: colour, "stroke-width": 1.6,
      points: ok.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ")}));
    if (ok.length < 40) ok.forEach((p) => svg.appendChild(rnmt.el("circle", {cx: sx(p[0]), cy: sy(p[1]), r: 2, fill: colour})));
    if (series.length > 1)
      svg.appendChild(rnmt.el("text", {x: W - legend + 4, y: T + 12 + 13 * i, fill: colour,
        style: `fill:${colour}`, text: s.name}));
  });
  return svg;
};

// A histogram from counts over [low, high].
rnmt.histogram = function (counts, low, high, opts) {
  opts = opts || {};
  const W = opts.width || 220, H = opts.height || 90, B = 16;
  const svg = rnmt.el("svg", {width: W, height: H});
  const max = Math.max(1, ...counts), bw = W / counts.length;
  counts.forEach((c, i) => svg.appendChild(rnmt.el("rect", {x: i * bw, y: H - B - ((H - B - 4) * c) / max,
    width: Math.max(1, bw - 1), height: ((H - B - 4) * c) / max, fill: "#5b8db8"})));
  svg.appendChild(rnmt.el("text", {x: 0, y: H - 3, text: rnmt.fmt(low)}));
  svg.appendChild(rnmt.el("text", {x: W, y: H - 3, "text-anchor": "end", text: rnmt.fmt(high)}));
  return svg;
};

// Called last by each report: what headless-browser tests read back from the DOM.
rnmt.finish = function () {
  const sized = (sel) => [...document.querySelectorAll(sel)].filter((n) => {
    const b = n.getBoundingClientRect();
    return b.width > 0 && b.height > 0;
  }).length;
  const check = {svg: sized("svg"), canvas: sized("canvas"), errors: rnmt.errors};
  document.body.appendChild(rnmt.el("pre", {id: "render-check", style: "display:none", text: JSON.stringify(check)}));
};
