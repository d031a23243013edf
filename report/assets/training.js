// rnmt report: one training run (README, "Seeing inside the network").
"use strict";
(function () {
  const data = rnmt.data, el = rnmt.el;
  const app = document.getElementById("app");
  app.appendChild(el("h1", {text: "rnmt report: " + data.workdir}));
  const last = data.training[data.training.length - 1];
  app.appendChild(el("div", {class: "muted", text: last
    ? `${data.training.length} log entries to step ${last.step} (${rnmt.fmt(last.elapsed_s)} s); ${data.validation.length} validations; ${data.inspections.length} inspections`
    : "no training entries yet"}));

  const series = (rows, key, f) => rows.filter((r) => r[key] !== undefined && r[key] !== null).map((r) => [r.step, f ? f(r[key]) : r[key]]);
  const card = (title, chart) => el("div", {class: "card"}, [el("div", {class: "title", text: title}), chart]);
  app.appendChild(el("h2", {text: "Training"}));
  const grid = el("div", {class: "grid"});
  grid.appendChild(card("loss per token", rnmt.lineChart([
    {name: "training", points: series(data.training, "loss")},
    {name: "validation", points: series(data.validation, "valid_loss")}], {xTitle: "step"})));
  grid.appendChild(card("perplexity", rnmt.lineChart([
    {name: "training", points: series(data.training, "loss", Math.exp)},
    {name: "validation", points: series(data.validation, "valid_loss", Math.exp)}], {xTitle: "step", logY: true})));
  if (data.validation.some((v) => v.valid_bleu !== undefined))
    grid.appendChild(card("validation BLEU", rnmt.lineChart([{name: "BLEU", points: series(data.validation, "valid_bleu")}], {xTitle: "step"})));
  grid.appendChild(card("learning rate", rnmt.lineChart([{name: "lr", points: series(data.training, "lr")}], {xTitle: "step"})));
  grid.appendChild(card("gradient norm (mean over the steps of each log entry, before clipping)",
    rnmt.lineChart([{name: "grad norm", points: series(data.training, "grad_norm")}], {xTitle: "step", logY: true})));
  grid.appendChild(card("target tokens per second", rnmt.lineChart([{name: "tok/s", points: series(data.training, "tgt_tokens_per_s")}], {xTitle: "step"})));
  app.appendChild(grid);

  app.appendChild(el("h2", {text: "Gradients through time"}));
  const records = data.inspections;
  if (!records.length) {
    app.appendChild(el("div", {class: "muted", text: "No inspections: set training.inspect_every in the recipe to record them."}));
  } else {
    app.appendChild(el("div", {class: "muted", text:
      "‖dL/dh_t‖ at each position of a fixed batch (mean over its sentences that reach the position; L its mean token loss), " +
      "at several points in training. Encoder positions are source positions (1 = the first word), decoder positions target positions. " +
      "A curve that falls towards position 1 of the encoder means little gradient reaches the first source words."}));
    // Up to six records spread over the run, always the first and the last.
    const picks = [];
    const want = Math.min(6, records.length);
    for (let k = 0; k < want; ++k) picks.push(records[Math.round((k * (records.length - 1)) / Math.max(1, want - 1))]);
    const unique = [...new Set(picks)];
    const gtt = el("div", {class: "grid", id: "gradients-through-time"});
    records[0].layers.forEach((layer, li) => {
      gtt.appendChild(card(layer.name, rnmt.lineChart(unique.map((r) => ({name: `step ${r.step}`,
        points: r.layers[li].gradient_norm.map((v, p) => [p + 1, v])})), {logY: true, xTitle: "position", width: 420})));
    });
    app.appendChild(gtt);

    app.appendChild(el("h2", {text: "Gates and clipping over training"}));
    const over = el("div", {class: "grid"});
    records[0].layers.forEach((layer, li) => {
      over.appendChild(card(`${layer.name}: saturated gate values`, rnmt.lineChart(layer.gates.map((g, gi) => ({name: g,
        points: records.map((r) => [r.step, r.layers[li].saturation[gi]])})), {xTitle: "step", width: 420})));
    });
    over.appendChild(card("fixed batch: gradient norm before and after clipping", rnmt.lineChart([
      {name: "before", points: records.map((r) => [r.step, r.gradient_norm])},
      {name: "after", points: records.map((r) => [r.step, r.clipped_gradient_norm])}], {xTitle: "step", logY: true, width: 420})));
    over.appendChild(card("fixed batch: loss per token (no dropout)", rnmt.lineChart([
      {name: "loss", points: records.map((r) => [r.step, r.loss])}], {xTitle: "step", width: 420})));
    app.appendChild(over);

    const latest = records[records.length - 1];
    app.appendChild(el("h3", {text: `Parameters at step ${latest.step} (fixed batch)`}));
    const table = el("table", {class: "data"}, [el("tr", {}, ["parameter", "‖W‖", "‖dL/dW‖", "ratio"].map((h) => el("th", {text: h})))]);
    latest.parameters.forEach((p) => table.appendChild(el("tr", {}, [p.name, rnmt.fmt(p.weight_norm), rnmt.fmt(p.gradient_norm),
      rnmt.fmt(p.weight_norm > 0 ? p.gradient_norm / p.weight_norm : 0)].map((v) => el("td", {text: v})))));
    app.appendChild(table);
  }
  if (data.skipped_lines) app.appendChild(el("div", {class: "muted", text: `${data.skipped_lines} unreadable log lines skipped`}));
  rnmt.finish();
})();
