// rnmt inspect: one model, some sentences (see README, "Seeing inside the network").
"use strict";
(function () {
  const data = rnmt.data, el = rnmt.el;
  const app = document.getElementById("app");
  app.appendChild(el("h1", {text: "rnmt inspect: " + data.model.path}));
  app.appendChild(el("div", {class: "muted", text: data.model.description}));

  const chooser = el("select", {id: "sentence"});
  data.sentences.forEach((s, i) => chooser.appendChild(el("option", {value: i, text: `line ${s.line}: ${s.source.slice(0, 80)}`})));
  app.appendChild(el("div", {class: "controls"}, [el("label", {text: "Sentence "}), chooser]));
  const sentenceBox = el("div", {id: "sentence-view"});
  app.appendChild(sentenceBox);

  function pieces(list) {
    return el("div", {class: "pieces"}, list.map((p) => el("span", {text: p})));
  }

  // One layer: a heatmap per gate (rows = positions, columns = units), a unit's line view.
  function layerView(s, layer) {
    const labels = layer.name.startsWith("decoder") ? s.target_pieces : s.source_pieces;
    const box = el("div", {class: "layer"});
    const sat = layer.gates.map((g) => `${g.name} ${(100 * g.saturation).toFixed(1)}%`).join(", ");
    box.appendChild(el("h3", {text: `${layer.name} (${layer.cell}, ${layer.units} units)`}));
    box.appendChild(el("div", {class: "sub muted", text: "saturated (within 0.05 of the ends of the range): " + sat}));
    const rowH = Math.max(6, Math.min(14, Math.floor(320 / Math.max(1, layer.steps))));
    const maxWidth = layer.units > 256 ? 512 : 384;
    const unitView = el("div", {class: "card"});
    let unit = layer.most_active.length ? layer.most_active[0] : 0;
    function drawUnit() {
      unitView.innerHTML = "";
      const series = [];
      const pick = (flat) => Array.from({length: layer.steps}, (_, t) => [t, flat[t * layer.units + unit]]);
      if (layer.cell_state) series.push({name: "cell state", points: pick(layer.cell_state)});
      series.push({name: "hidden", points: pick(layer.hidden)});
      layer.gates.forEach((g) => series.push({name: g.name, points: pick(g.values)}));
      unitView.appendChild(el("div", {class: "title", text: `unit ${unit} through the sentence`}));
      unitView.appendChild(rnmt.lineChart(series, {width: 520, height: 240, xLabels: labels, title: ""}));
    }
    const row = el("div", {class: "grid"});
    // Each heatmap carries its rows' pieces on its left.
    const positionLabels = () => {
      const svg = el("svg", {width: 84, height: rowH * layer.steps});
      labels.slice(0, layer.steps).forEach((p, t) => svg.appendChild(el("text", {x: 80, y: t * rowH + rowH - 1, "text-anchor": "end",
        style: `font-size:${Math.min(11, rowH)}px`, text: p})));
      return svg;
    };
    const cards = layer.gates.map((g) => ({name: g.name, values: g.values, scale: g.tanh ? {kind: "diverging", max: 1} : {kind: "sequential", max: 1}}));
    if (layer.cell_state) {
      const max = Math.max(1e-6, ...layer.cell_state.map(Math.abs));
      cards.push({name: `cell state (|max| ${rnmt.fmt(max)})`, values: layer.cell_state, scale: {kind: "diverging", max}});
    }
    cards.forEach((c) => row.appendChild(el("div", {class: "card"}, [el("div", {class: "title", text: c.name}),
      el("div", {style: "display:flex"}, [positionLabels(),
        rnmt.heatmap(c.values, layer.steps, layer.units, c.scale, {maxWidth, maxCell: 8, rowAspect: 100, minRowHeight: rowH,
          title: `${c.name}: rows are positions, columns units 0..${layer.units - 1}; click a cell to follow its unit`,
          onPick: (r, col) => { unit = col; drawUnit(); }})])])));
    box.appendChild(row);
    const choose = el("div", {class: "controls"}, [el("span", {text: "most active units: "}),
      ...layer.most_active.map((u) => el("button", {text: u, on: {click: () => { unit = u; drawUnit(); }}})),
      el("span", {text: " most saturated: "}),
      ...layer.most_saturated.map((u) => el("button", {text: u, on: {click: () => { unit = u; drawUnit(); }}}))]);
    box.appendChild(choose);
    box.appendChild(unitView);
    drawUnit();
    return box;
  }

  function showSentence(i) {
    const s = data.sentences[i];
    sentenceBox.innerHTML = "";
    sentenceBox.appendChild(el("h2", {text: `Line ${s.line}`}));
    sentenceBox.appendChild(el("div", {text: "source: " + s.source}));
    sentenceBox.appendChild(el("div", {text: `translation: ${s.translation}   (score ${rnmt.fmt(s.score)})`}));
    if (!s.layers.length) {
      sentenceBox.appendChild(el("div", {class: "muted", text: "An empty line: nothing was translated."}));
      return;
    }
    sentenceBox.appendChild(el("div", {class: "muted", text: "pieces read:"}));
    sentenceBox.appendChild(pieces(s.source_pieces));
    sentenceBox.appendChild(el("div", {class: "muted", text: "pieces written:"}));
    sentenceBox.appendChild(pieces(s.target_pieces));
    const overview = el("div", {class: "grid"});
    if (s.attention) {
      overview.appendChild(el("div", {class: "card"}, [el("div", {class: "title", text: "attention (rows: output pieces, columns: source pieces)"}),
        rnmt.labelledHeatmap(s.attention, s.target_pieces, s.source_pieces)]));
    }
    const enc = s.layers.filter((l) => !l.name.startsWith("decoder")), dec = s.layers.filter((l) => l.name.startsWith("decoder"));
    const norms = (layers) => layers.map((l) => ({name: l.name, points: l.hidden_norm.map((v, t) => [t, v])}));
    overview.appendChild(el("div", {class: "card"}, [el("div", {class: "title", text: "hidden-state norm ‖h_t‖, encoder"}),
      rnmt.lineChart(norms(enc), {xLabels: s.source_pieces, width: 440})]));
    overview.appendChild(el("div", {class: "card"}, [el("div", {class: "title", text: "hidden-state norm ‖h_t‖, decoder"}),
      rnmt.lineChart(norms(dec), {xLabels: s.target_pieces, width: 440})]));
    sentenceBox.appendChild(overview);
    s.layers.forEach((layer) => sentenceBox.appendChild(layerView(s, layer)));
  }
  chooser.addEventListener("change", () => showSentence(Number(chooser.value)));
  if (data.sentences.length) showSentence(0);

  app.appendChild(el("h2", {text: "Weights"}));
  app.appendChild(el("div", {class: "muted", text: "Each recurrent layer's weights per gate (input, recurrent, bias); heatmaps show block means (rows: inputs or previous states, columns: units), coloured against the matrix's largest block."}));
  const grid = el("div", {class: "grid", id: "weights"});
  data.weights.forEach((w) => {
    const max = Math.max(1e-12, ...w.heatmap.values.map(Math.abs));
    grid.appendChild(el("div", {class: "card"}, [
      el("div", {class: "title", text: w.name}),
      el("div", {class: "sub", text: `${w.part ? w.part + " · " : ""}${w.rows}×${w.cols} · ‖W‖ ${rnmt.fmt(w.frobenius)} · max ${rnmt.fmt(w.max_abs)} · std ${rnmt.fmt(w.std)}`}),
      rnmt.histogram(w.histogram.counts, w.histogram.low, w.histogram.high),
      w.rows > 1 ? rnmt.heatmap(w.heatmap.values, w.heatmap.rows, w.heatmap.cols, {kind: "diverging", max}, {maxWidth: 220, maxCell: 6}) : null]));
  });
  app.appendChild(grid);
  rnmt.finish();
})();
