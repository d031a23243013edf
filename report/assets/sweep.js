// rnmt sweep: the trials of a hyper-parameter search, best first, and the metric against each key
// (README, "Choosing settings: rnmt sweep").
"use strict";
(function () {
  const data = rnmt.data, el = rnmt.el;
  const app = document.getElementById("app");
  app.appendChild(el("h1", {text: data.title}));
  const scored = data.trials.filter((t) => t.metric !== null && !t.error);
  app.appendChild(el("div", {class: "muted", text: `${data.trials.length} trials finished; ranked by validation ${data.metric} ` +
    `(${data.higher_is_better ? "higher" : "lower"} is better), the furthest rung first`}));

  // The metric against one key: a dot per trial, coloured by the rung it reached.
  const palette = ["#9bb7d4", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
  function scatter(k) {
    const W = 360, H = 220, L = 58, R = 12, T = 14, B = 40;
    const svg = el("svg", {width: W, height: H, class: "chart"});
    const points = scored.map((t) => ({trial: t, text: t.settings[k], y: t.metric}));
    if (!points.length) {
      svg.appendChild(el("text", {x: L, y: H / 2, text: "no scored trial yet"}));
      return svg;
    }
    const numeric = points.every((p) => p.text.trim() !== "" && Number.isFinite(Number(p.text)));
    const categories = [...new Set(points.map((p) => p.text))];
    if (numeric) categories.sort((a, b) => Number(a) - Number(b));
    const xs = numeric ? points.map((p) => Number(p.text)) : [];
    const logX = numeric && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 20;
    const tx = (v) => (logX ? Math.log10(v) : v);
    let x0 = numeric ? Math.min(...xs.map(tx)) : -0.5, x1 = numeric ? Math.max(...xs.map(tx)) : categories.length - 0.5;
    if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
    const pad = (x1 - x0) * 0.06;
    x0 -= numeric ? pad : 0; x1 += numeric ? pad : 0;
    let y0 = Math.min(...points.map((p) => p.y)), y1 = Math.max(...points.map((p) => p.y));
    if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 0.5; y0 -= d; y1 += d; }
    const sx = (p) => L + ((numeric ? tx(Number(p.text)) : categories.indexOf(p.text)) - x0) / (x1 - x0) * (W - L - R);
    const sy = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
    svg.appendChild(el("line", {class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B}));
    svg.appendChild(el("line", {class: "axis", x1: L, y1: T, x2: L, y2: H - B}));
    for (let i = 0; i <= 4; ++i) {
      const v = y0 + ((y1 - y0) * i) / 4;
      svg.appendChild(el("text", {x: L - 4, y: sy(v) + 4, "text-anchor": "end", text: rnmt.fmt(v)}));
    }
    const ticks = numeric ? [0, 1, 2, 3].map((i) => x0 + pad + ((x1 - x0 - 2 * pad) * i) / 3) : categories.map((_, i) => i);
    ticks.forEach((v) => {
      const x = L + (v - x0) / (x1 - x0) * (W - L - R);
      const label = numeric ? rnmt.fmt(logX ? Math.pow(10, v) : v) : categories[v];
      svg.appendChild(el("text", {x, y: H - B + 14, "text-anchor": "middle", text: label}));
    });
    svg.appendChild(el("text", {x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle",
      text: data.keys[k] + (logX ? " (log scale)" : "")}));
    points.forEach((p) => svg.appendChild(el("circle", {cx: sx(p), cy: sy(p.y), r: 4, "fill-opacity": 0.8,
      fill: palette[Math.min(p.trial.rung + 1, palette.length - 1)]},
      [el("title", {text: `trial ${p.trial.trial}: ${data.keys[k]} = ${p.text} → ${data.metric} ${rnmt.fmt(p.y)} (rung ${p.trial.rung})`})])));
    return svg;
  }
  app.appendChild(el("h2", {text: `Validation ${data.metric} against each key`}));
  const grid = el("div", {class: "grid"});
  data.keys.forEach((key, k) => grid.appendChild(el("div", {class: "card"}, [
    el("div", {class: "title", text: key}), scatter(k)])));
  app.appendChild(grid);
  const rungs = Math.max(...data.trials.map((t) => t.rung)) + 1;
  if (rungs > 1)  // successive halving: one colour per rung a trial reached
    app.appendChild(el("div", {class: "legend"}, [el("span", {text: "the furthest rung each trial reached: "}),
      ...Array.from({length: rungs}, (_, r) => el("span", {style: `color:${palette[Math.min(r + 1, palette.length - 1)]};margin-right:10px`,
        text: `● rung ${r}`}))]));

  app.appendChild(el("h2", {text: "Trials, best first"}));
  const header = ["rank", "trial", ...data.keys, "rung", "steps", data.metric, "best step", "seconds", "status"];
  const rows = data.trials.map((t, i) => el("tr", i === 0 && t.metric !== null ? {style: "font-weight:600"} : {},
    [i + 1, t.trial, ...t.settings, t.rung, t.steps, t.metric === null ? "–" : rnmt.fmt(t.metric), t.best_step,
      rnmt.fmt(t.seconds), t.error ? "failed: " + t.error : "done"].map((v) => el("td", {text: String(v)}))));
  app.appendChild(el("table", {class: "data"}, [el("tr", {}, header.map((h) => el("th", {text: h}))), ...rows]));
  rnmt.finish();
})();
