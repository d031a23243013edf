// rnmt inspect's and rnmt report's data: the inspection of a model file, weight summaries, the
// training inspection, the training log reader and the HTML page.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "inspect/model_inspection.hpp"
#include "inspect/training_inspection.hpp"
#include "inspect/weight_summary.hpp"
#include "model_fixture.hpp"
#include "model_test_util.hpp"
#include "report/html_page.hpp"
#include "report/inspection_json.hpp"
#include "report/training_report.hpp"
#include "rnmt/translator.hpp"
#include "training/adam.hpp"
#include "training/clip.hpp"

using namespace rnmt;

namespace {

std::string model_file(const std::string& name, const std::string& recipe) {
  test::ModelFile f(recipe);
  const std::string path = test::temp(name);
  write_archive(f.archive(), path);
  return path;
}

}  // namespace

TEST_CASE("rnmt inspect: the translations are the Translator's, every layer traced", "[report]") {
  const std::string path = model_file(
      "inspect.rnmt",
      "workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6, layers: 2}, decoder: {cell: gru, "
      "hidden: 10, layers: 2, input_feeding: true}, attention: additive}\n");
  const std::vector<std::string> lines = {"a b c", "", "c c a b", "b"};
  const Translator translator(path);
  TranslationOptions options = translator.default_options();
  options.beam_size = 3;
  options.max_decoding_length = 6;
  const auto results = translator.translate(lines, options);
  const ModelInspection inspection = inspect_model(translator, path, lines, options);
  REQUIRE(inspection.sentences.size() == lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const InspectedSentence& s = inspection.sentences[i];
    CHECK(s.line == static_cast<int64_t>(i) + 1);
    CHECK(s.translation == results[i].hypotheses.front().text);
    CHECK(s.score == results[i].hypotheses.front().score);
    CHECK(s.source_pieces == results[i].source_tokens);
    if (lines[i].empty()) {
      CHECK(s.layers.empty());
      continue;
    }
    CHECK(s.target_pieces.back() == "</s>");
    REQUIRE(s.layers.size() == 6);  // 2 x 2 encoder directions, 2 decoder layers
    for (const SentenceLayerTrace& layer : s.layers) {
      const bool decoder = layer.role == LayerRole::decoder;
      CHECK(layer.steps ==
            static_cast<int64_t>(decoder ? s.target_pieces.size() : s.source_pieces.size()));
      CHECK(layer.cell == (decoder ? Cell::gru : Cell::lstm));
      CHECK(layer.cell_state.empty() == decoder);
      for (size_t g = 0; g < layer.gates.size(); ++g)
        for (float v : layer.gates[g]) CHECK((is_tanh_gate(layer.cell, g) ? v >= -1 : v >= 0));
    }
    // Attention rows are distributions over the source pieces.
    const size_t S = s.source_pieces.size(), T = s.target_pieces.size();
    REQUIRE(s.attention.size() == S * T);
    for (size_t t = 0; t < T; ++t) {
      double sum = 0;
      for (size_t j = 0; j < S; ++j) sum += s.attention[t * S + j];
      CHECK(sum == Approx(1.0).margin(1e-5));
    }
  }
  const nlohmann::ordered_json j = inspection_json(inspection);
  CHECK(j["kind"] == "inspection");
  CHECK(j["sentences"].size() == lines.size());
  CHECK(j["sentences"][0]["layers"][1]["name"] == "encoder 1 right-to-left");
  CHECK(j["sentences"][0]["layers"][5]["name"] == "decoder 2");
  CHECK(j["sentences"][0]["layers"][5]["gates"][1]["name"] == "reset");
  CHECK(j["sentences"][0]["layers"][0]["most_active"].size() == 5);
  CHECK(j["sentences"][1]["attention"].is_null());
  std::filesystem::remove(path);
}

TEST_CASE("Weight summaries split recurrent weights per gate", "[report]") {
  ParamSet params;
  RnnLayer layer(params, "enc.l2r", Cell::lstm, 3, 5);
  Param& other = params.add("out.weight", {200, 150});
  params.allocate();
  Rng rng(4);
  layer.init(rng);
  for (size_t i = 0; i < other.size; ++i) other.w[i] = rng.uniform(-1, 1);
  const std::vector<WeightSummary> all = summarize_weights(params);
  REQUIRE(all.size() == 4 + 4 + 4 + 1);  // input and recurrent per gate, 4 biases, one matrix
  CHECK(all[1].part == "forget gate, input");
  CHECK(all[6].part == "candidate, recurrent");
  CHECK(all[11].part == "output gate, bias");
  // The forget gate's input matrix is the ldigo slice [i][1][j].
  double squares = 0;
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      const float v = layer.weights_layer().w[(i * 4 + 1) * 5 + j];
      squares += double(v) * v;
    }
  CHECK(all[1].rows == 3);
  CHECK(all[1].cols == 5);
  CHECK(all[1].frobenius == Approx(std::sqrt(squares)));
  const WeightSummary& big = all.back();
  int64_t counted = 0;
  for (int64_t c : big.histogram) counted += c;
  CHECK(counted == 200 * 150);
  REQUIRE(big.heatmap_rows == kHeatmapSide);
  REQUIRE(big.heatmap_cols == kHeatmapSide);
  // Cell (0, 0) is the mean of rows [0, 200/96) and columns [0, 150/96).
  double block = 0;
  for (int64_t r = 0; r < 2; ++r) block += other.w[r * 150];
  CHECK(big.heatmap[0] == Approx(block / 2));
}

TEST_CASE("Training inspection averages each position's gradient over the sentences reaching it",
          "[report]") {
  Seq2Seq net(test::small_config(Cell::lstm, false), 3);
  const std::vector<Sentence> src = {{4, 5, 6, 7}, {8, 9}, {10, 11, 12}};
  // Longest source 4 pieces, longest target 5 (6 decoder steps with </s>): a profile of the
  // wrong side's length shows.
  const std::vector<Sentence> tgt = {{6, 7}, {8, 9, 10, 11, 13}, {12}};
  const Batch batch = test::batch_of(src, tgt);
  const TrainingInspection inspection = inspect_training(net, batch, 0.01, 7);
  const NetworkTrace trace = trace_network(net, batch, true);
  CHECK(inspection.step == 7);
  CHECK(inspection.clipped_gradient_norm == Approx(std::min(0.01, inspection.gradient_norm)));
  CHECK(inspection.gradient_norm == Approx(trace.gradient_norm));
  double squares = 0;
  for (const auto& p : inspection.parameters) squares += p.gradient * p.gradient;
  CHECK(std::sqrt(squares) == Approx(inspection.gradient_norm));
  for (size_t l = 0; l < trace.layers.size(); ++l) {
    const auto& profile = inspection.layers[l];
    const bool decoder = trace.layers[l].role == LayerRole::decoder;
    REQUIRE(profile.gradient_norm.size() == (decoder ? 6u : 4u));
    for (size_t p = 0; p < profile.gradient_norm.size(); ++p) {
      double sum = 0;
      int64_t count = 0;
      for (int64_t n = 0; n < trace.N; ++n) {
        const SentenceLayerTrace s = sentence_trace(trace, l, n);
        if (static_cast<int64_t>(p) < s.steps) {
          sum += s.gradient_norm[p];
          ++count;
        }
      }
      CHECK(profile.sentences[p] == count);
      CHECK(profile.gradient_norm[p] == Approx(sum / count));
    }
  }
}

TEST_CASE("Inspecting between training steps changes nothing of training", "[report]") {
  ModelConfig config = test::small_config(Cell::gru, true);
  config.dropout = 0.2f;
  Seq2Seq plain(config, 5), inspected(config, 5);
  const Batch batch =
      test::batch_of(test::kReversalSources, test::shifted_reversals(test::kReversalSources));
  Adam adam_plain, adam_inspected;
  for (int step = 0; step < 4; ++step) {
    for (auto [net, adam] :
         {std::pair{&plain, &adam_plain}, std::pair{&inspected, &adam_inspected}}) {
      if (net == &inspected) inspect_training(*net, batch, 5.0, step);
      net->params().zero_grads();
      net->forward(batch, true);
      net->backward(batch, 1.0f / static_cast<float>(batch.tgt_tokens));
      adam->step(net->params(), 0.01f, clip_factor(gradient_norm(net->params()), 5.0));
    }
  }
  const ParamSet& a = plain.params();
  const ParamSet& b = inspected.params();
  for (size_t i = 0; i < a.total(); ++i) REQUIRE(a.values()[i] == b.values()[i]);
}

TEST_CASE("rnmt report reads a run's logs: latest entry per step, unreadable lines skipped",
          "[report]") {
  const std::filesystem::path dir = test::temp("report_workdir");
  std::filesystem::remove_all(dir);
  CHECK_THROWS_WITH(training_report_data(dir.string()),
                    Catch::Contains("has no training log") && Catch::Contains("metrics.jsonl"));
  std::filesystem::create_directories(dir / "train");
  std::ofstream(dir / "train" / "metrics.jsonl")
      << "{\"step\":100,\"loss\":3.0}\n{\"step\":100,\"valid_loss\":2.5}\n"
      << "{\"step\":200,\"loss\":2.0}\n{\"step\":100,\"loss\":2.9}\n{\"step\":30";
  std::ofstream(dir / "train" / "inspect.jsonl") << "{\"step\":0,\"loss\":4}\nnot json\n";
  const nlohmann::ordered_json data = training_report_data(dir.string());
  REQUIRE(data["training"].size() == 2);
  CHECK(data["training"][0]["loss"] == 2.9);  // resumed: the later entry of step 100
  CHECK(data["validation"].size() == 1);
  CHECK(data["inspections"].size() == 1);
  CHECK(data["skipped_lines"] == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Report pages carry their data safely inside the script element", "[report]") {
  const nlohmann::ordered_json data = {{"kind", "inspection"}, {"text", "</script><b>x</b>"}};
  const std::string page = html_page(ReportKind::inspection, "a <title> & more", data);
  CHECK(page.find("</script><b>") == std::string::npos);
  CHECK(page.find("<\\/script><b>x<\\/b>") != std::string::npos);
  CHECK(page.find("<title>a &lt;title&gt; &amp; more</title>") != std::string::npos);
  CHECK(page.find("rnmt.finish()") != std::string::npos);  // the scripts are inlined
  CHECK(page.find("src=") == std::string::npos);           // and nothing is fetched
}
