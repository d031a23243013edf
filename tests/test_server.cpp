// rnmt serve's server, in process on a free loopback port, through a real HTTP client
// (cpp-httplib's): every endpoint and error, results equal to the Translator's, concurrent
// clients, cross-request batching, and stop() answering what is in flight.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "model_fixture.hpp"
#include "server/batcher.hpp"
#include "server/translation_server.hpp"

using namespace rnmt;
using json = nlohmann::json;

namespace {

std::string fixture_model(const std::string& name, InvalidUtf8 policy = InvalidUtf8::replace) {
  test::ModelFile f;
  if (policy == InvalidUtf8::fail) {
    TokenizerModel m = parse_tokenizer(f.src_tok, "src");
    m.options.invalid_utf8 = InvalidUtf8::fail;
    const std::string tok = test::temp(name + ".tok");
    save_tokenizer(m, tok);
    std::ifstream in(tok);
    std::stringstream text;
    text << in.rdbuf();
    f.src_tok = text.str();
  }
  const std::string path = test::temp(name);
  write_archive(f.archive(), path);
  return path;
}

// A server on a free loopback port, serving on its own thread until the end of the scope.
struct RunningServer {
  std::ostringstream log;
  TranslationServer server;
  int port;
  std::thread thread;
  RunningServer(std::vector<ServedModel> models, ServerOptions options)
      : server(
            std::move(models),
            [&] {
              options.host = "127.0.0.1";
              options.port = 0;
              return options;
            }(),
            log),
        port(server.bind()),
        thread([this] { server.serve(); }) {
    for (int i = 0; i < 2000 && !server.ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(server.ready());
  }
  ~RunningServer() {
    server.stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }
};

// The status and body of a POST, without Catch2's macros (they are not thread-safe): what the
// client threads of a test call, leaving the checks to the test's own thread. -1: no answer.
std::pair<int, std::string> raw_post(const RunningServer& s, const std::string& body) {
  auto client = s.client();
  const auto res = client.Post("/translate", body, "application/json");
  return res ? std::pair{res->status, res->body} : std::pair{-1, std::string()};
}

// Waits (at most a minute) until GET /metrics has the line `line`: the event a test waits on, so
// that a loaded machine cannot make it flaky the way a fixed head start can.
bool wait_for_metric(const RunningServer& s, const std::string& line) {
  for (int i = 0; i < 6000; ++i) {
    auto client = s.client();
    if (const auto res = client.Get("/metrics"))
      if (("\n" + res->body).find("\n" + line + "\n") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

json post(const RunningServer& s, const std::string& body, int expected_status,
          const std::string& path = "/translate") {
  auto client = s.client();
  const auto res = client.Post(path.c_str(), body, "application/json");
  REQUIRE(res);
  CHECK(res->status == expected_status);
  INFO(res->body);
  return json::parse(res->body);
}

}  // namespace

TEST_CASE("Server: translations equal the Translator's, in both request forms", "[server]") {
  const std::string path = fixture_model("server_a.rnmt");
  RunningServer s({{"default", path}, {"other", path}}, {});
  const std::vector<std::string> lines = {"a b c", "c", "", "b a b a c"};
  const Translator translator(path);
  TranslationOptions options = translator.default_options();
  options.beam_size = 3;
  options.num_hypotheses = 2;
  options.return_alignments = true;
  options.max_decoding_length = 7;
  const auto expected = translator.translate(lines, options);
  const json answer = post(s,
                           json{{"text", lines},
                                {"options",
                                 {{"beam_size", 3},
                                  {"num_hypotheses", 2},
                                  {"return_alignments", true},
                                  {"max_decoding_length", 7}}}}
                               .dump(),
                           200);
  CHECK(answer["model"] == "default");
  REQUIRE(answer["translations"].size() == lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& t = answer["translations"][i];
    CHECK(t["source_tokens"] == expected[i].source_tokens);
    REQUIRE(t["hypotheses"].size() == expected[i].hypotheses.size());
    for (size_t k = 0; k < expected[i].hypotheses.size(); ++k) {
      const TranslationHypothesis& h = expected[i].hypotheses[k];
      CHECK(t["hypotheses"][k]["text"] == h.text);
      CHECK(t["hypotheses"][k]["tokens"] == h.tokens);
      CHECK(t["hypotheses"][k]["score"].get<double>() == Approx(h.score).margin(1e-9));
      CHECK(t["hypotheses"][k]["alignment"].size() == h.alignment.size());
    }
  }
  // A single string, another model by name.
  const json one = post(s, R"({"text": "a b c", "model": "other"})", 200);
  CHECK(one["model"] == "other");
  CHECK(one["translations"][0]["hypotheses"][0]["text"] ==
        translator.translate({"a b c"}, translator.default_options())[0].hypotheses[0].text);
  // OpenNMT-py's form and path: [{"src", "id"}] -> [[{"src", "tgt", "n_best", "pred_score"}]]
  const json onmt = post(s, R"([{"src": "a b c", "id": "other"}, {"src": "c", "id": "other"}])",
                         200, "/translator/translate");
  REQUIRE(onmt.size() == 1);
  REQUIRE(onmt[0].size() == 2);
  const auto plain = translator.translate({"a b c", "c"}, translator.default_options());
  CHECK(onmt[0][1]["src"] == "c");
  CHECK(onmt[0][1]["tgt"] == plain[1].hypotheses[0].text);
  CHECK(onmt[0][0]["pred_score"].get<double>() == Approx(plain[0].hypotheses[0].score));
}

TEST_CASE("Server: health, models, metrics and unknown paths", "[server]") {
  const std::string path = fixture_model("server_b.rnmt");
  RunningServer s({{"default", path}}, {});
  auto client = s.client();
  auto health = client.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(json::parse(health->body)["status"] == "ready");
  auto models = client.Get("/models");
  REQUIRE(models);
  const json list = json::parse(models->body)["models"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["name"] == "default");
  CHECK(list[0]["default"] == true);
  post(s, R"({"text": ["a", "b c"]})", 200);
  auto missing = client.Get("/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(json::parse(missing->body)["error"] == "no such endpoint: GET /nothing");
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->get_header_value("Content-Type") == "text/plain; version=0.0.4");
  const std::string& m = metrics->body;
  CHECK(m.find("rnmt_requests_total{path=\"/translate\",code=\"200\"} 1\n") != std::string::npos);
  CHECK(m.find("rnmt_requests_total{path=\"/nothing\",code=\"404\"} 1\n") != std::string::npos);
  CHECK(m.find("rnmt_lines_total 2\n") != std::string::npos);
  CHECK(m.find("rnmt_request_duration_seconds_count 1\n") != std::string::npos);
  CHECK(m.find("rnmt_batch_lines_bucket{le=\"+Inf\"} ") != std::string::npos);
  CHECK(m.find("rnmt_queue_lines 0\n") != std::string::npos);
  CHECK(s.log.str().find("\"POST /translate\" 200 ") != std::string::npos);  // access log
}

TEST_CASE("Server: bad requests get an error with a message, and the server goes on", "[server]") {
  const std::string path = fixture_model("server_c.rnmt");
  ServerOptions options;
  options.max_lines = 3;
  options.max_body_bytes = 4096;
  RunningServer s({{"default", path}}, options);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"text\": \"a\"", "the body is not valid JSON"},
      {"[1]", "element 0 must be an object"},
      {"{\"text\": 5}", "'text' must be a string or an array of strings, not number"},
      {"{\"text\": [\"a\", 7]}", "'text[1]' must be a string, not number"},
      {"{\"txt\": \"a\"}", "unknown field 'txt'"},
      {"{\"model\": \"x\"}", "no 'text' to translate"},
      {"{\"text\": \"a\", \"model\": \"nope\"}", "unknown model 'nope'"},
      {"{\"text\": \"a\", \"options\": {\"beam\": 2}}", "unknown option 'beam'"},
      {"{\"text\": \"a\", \"options\": {\"beam_size\": \"2\"}}",
       "option 'beam_size' must be an integer, not string"},
      {"{\"text\": \"a\", \"options\": {\"return_alignments\": 1}}",
       "option 'return_alignments' must be true or false, not number"},
      {"{\"text\": \"a\", \"options\": {\"beam_size\": 0}}", "invalid options: the beam size"},
      {"{\"text\": \"a\", \"options\": {\"threads\": 4}}", "option 'threads' is the server's"},
      {"{\"text\": [\"a\", \"b\"], \"options\": {\"target_prefix\": [\"x\"]}}",
       "target_prefix: one per line (2 lines, 1 prefixes)"},
      {"{\"text\": [\"a\", \"b\", \"c\", \"a\"]}", "too many lines: 4 (at most 3 per request)"},
      {"{\"text\": \"a\", \"timeout_ms\": 0}", "'timeout_ms' must be a positive integer"},
  };
  for (const auto& [body, message] : cases) {
    INFO(body);
    const json answer = post(s, body, 400);
    CHECK_THAT(answer["error"].get<std::string>(), Catch::Contains(message));
  }
  // Over the body limit: 413, with a JSON error.
  const json big = post(s, json{{"text", std::string(5000, 'a')}}.dump(), 413);
  CHECK_THAT(big["error"].get<std::string>(),
             Catch::Contains("larger than the server's limit of 4096"));
  post(s, R"({"text": "a b"})", 200);  // still serving
}

TEST_CASE("Server: a request past its timeout gets 504, a full queue 503", "[server]") {
  const std::string path = fixture_model("server_d.rnmt");
  ServerOptions options;
  options.max_batch_delay_ms = 400;  // a lone line waits this long for company
  options.max_queue_lines = 3;
  RunningServer s({{"default", path}}, options);
  const json late = post(s, R"({"text": "a", "timeout_ms": 50})", 504);
  CHECK(late["error"] == "timed out after 50 ms");
  // Two lines wait in the queue (400 ms); three more do not fit in it.
  std::pair<int, std::string> waited;
  std::thread waiting([&] { waited = raw_post(s, R"({"text": ["a", "b"]})"); });
  REQUIRE(wait_for_metric(s, "rnmt_requests_in_flight 1"));
  const json full = post(s, R"({"text": ["a", "b"]})", 503);
  CHECK_THAT(full["error"].get<std::string>(),
             Catch::StartsWith("overloaded: the queue is full (3 lines)"));
  waiting.join();
  CHECK(waited.first == 200);
  post(s, R"({"text": "c"})", 200);
}

TEST_CASE("Server: 8 concurrent clients get exactly their own results, batched together",
          "[server]") {
  const std::string path = fixture_model("server_e.rnmt");
  ServerOptions options;
  // The 8 requests hold 31 lines: they go as one batch once all have come (a line waits a minute
  // for company), however slowly a loaded machine starts the clients.
  options.max_batch_size = 31;
  options.max_batch_delay_ms = 60000;
  options.workers = 1;
  RunningServer s({{"default", path}}, options);
  const Translator translator(path);
  const std::vector<std::string> words = {"a", "b", "c", "a b", "b c", "c a", "a b c", "c b a"};
  std::vector<std::vector<std::string>> requests(8);
  for (size_t k = 0; k < 8; ++k)
    for (size_t i = 0; i < 3 + k % 3; ++i) requests[k].push_back(words[(k + 3 * i) % words.size()]);
  std::vector<std::pair<int, std::string>> raw(8);
  std::vector<std::thread> clients;
  for (size_t k = 0; k < 8; ++k)
    clients.emplace_back([&, k] { raw[k] = raw_post(s, json{{"text", requests[k]}}.dump()); });
  for (auto& c : clients) c.join();
  std::vector<json> answers;
  for (const auto& [status, body] : raw) {
    REQUIRE(status == 200);
    answers.push_back(json::parse(body));
  }
  for (size_t k = 0; k < 8; ++k) {
    const auto expected = translator.translate(requests[k], translator.default_options());
    REQUIRE(answers[k]["translations"].size() == requests[k].size());
    for (size_t i = 0; i < requests[k].size(); ++i) {
      CHECK(answers[k]["translations"][i]["source_tokens"] == expected[i].source_tokens);
      CHECK(answers[k]["translations"][i]["hypotheses"][0]["text"] ==
            expected[i].hypotheses[0].text);
    }
  }
  // Lines of all 8 requests shared one batch.
  CHECK(wait_for_metric(s, "rnmt_batch_lines_count 1"));
  CHECK(wait_for_metric(s, "rnmt_batch_lines_sum 31"));
}

TEST_CASE("Server: requests under different options never share a batch", "[server]") {
  const std::string path = fixture_model("server_h.rnmt");
  ServerOptions options;
  // A batch goes when it holds 6 lines (a line waits a minute for company): what goes together is
  // decided by the lines alone, however slowly a loaded machine runs the clients.
  options.max_batch_size = 6;
  options.max_batch_delay_ms = 60000;
  options.workers = 1;
  RunningServer s({{"default", path}}, options);
  const Translator translator(path);
  // A (4 lines) and B (2 lines, n-best under a wider beam) would fill one batch if options were
  // ignored, and B's lines would come back with A's single hypothesis. C has A's options and
  // completes A's batch; D has B's and completes B's.
  const std::vector<std::vector<std::string>> lines = {
      {"a b", "c", "b c a", "a"}, {"c a", "b"}, {"a c", "c b"}, {"b b", "a c b", "c", "b a"}};
  const json n_best = {{"beam_size", 3}, {"num_hypotheses", 2}};
  std::vector<std::pair<int, std::string>> raw(4);
  std::vector<std::thread> clients;
  const auto send = [&](size_t r) {
    json body = {{"text", lines[r]}};
    if (r % 2 == 1) body["options"] = n_best;
    clients.emplace_back([&, r, body] { raw[r] = raw_post(s, body.dump()); });
  };
  send(0);
  send(1);
  REQUIRE(wait_for_metric(s, "rnmt_queue_lines 6"));  // A and B wait, apart
  send(2);
  send(3);
  for (auto& t : clients) t.join();
  TranslationOptions b_options = translator.default_options();
  b_options.beam_size = 3;
  b_options.num_hypotheses = 2;
  for (size_t r = 0; r < 4; ++r) {
    INFO("request " << r);
    REQUIRE(raw[r].first == 200);
    const json answer = json::parse(raw[r].second);
    const auto expected =
        translator.translate(lines[r], r % 2 == 1 ? b_options : translator.default_options());
    REQUIRE(answer["translations"].size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const json& got = answer["translations"][i]["hypotheses"];
      REQUIRE(got.size() == expected[i].hypotheses.size());
      for (size_t k = 0; k < got.size(); ++k) {
        CHECK(got[k]["text"] == expected[i].hypotheses[k].text);
        CHECK(got[k]["score"].get<double>() == Approx(expected[i].hypotheses[k].score));
      }
    }
  }
  // Two full batches: A with C, B with D.
  CHECK(wait_for_metric(s, "rnmt_batch_lines_count 2"));
  CHECK(wait_for_metric(s, "rnmt_batch_lines_sum 12"));
}

TEST_CASE("Server: stop() answers the requests in flight before serve() returns", "[server]") {
  const std::string path = fixture_model("server_f.rnmt");
  ServerOptions options;
  options.max_batch_delay_ms = 60000;  // the request waits until stop() flushes the queue
  auto s = std::make_unique<RunningServer>(std::vector<ServedModel>{{"default", path}}, options);
  std::atomic<int> status{0};
  std::thread client([&] {
    auto c = s->client();
    auto res = c.Post("/translate", R"({"text": ["a", "b c"]})", "application/json");
    status = res ? res->status : -1;
  });
  REQUIRE(wait_for_metric(*s, "rnmt_queue_lines 2"));  // the request waits in the queue
  const int port = s->port;
  s.reset();  // stop() and join serve()
  client.join();
  CHECK(status == 200);
  httplib::Client after("127.0.0.1", port);
  CHECK_FALSE(after.Get("/health"));  // nothing listens any more
}

TEST_CASE("Batcher: a bad line fails only its own request", "[server]") {
  const std::string path = fixture_model("server_g.rnmt", InvalidUtf8::fail);
  const Translator translator(path);
  ServerMetrics metrics;
  std::shared_ptr<PendingRequest> good, bad;
  {
    Batcher batcher(translator, {.max_batch_size = 8, .max_delay_ms = 200}, metrics);
    const TranslationOptions options = translator.default_options();
    good = std::make_shared<PendingRequest>(std::vector<std::string>{"a b", "c"}, options, "k");
    bad = std::make_shared<PendingRequest>(std::vector<std::string>{"b", "a \xff"}, options, "k");
    REQUIRE(batcher.submit(good));
    REQUIRE(batcher.submit(bad));
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    REQUIRE(good->wait_until(deadline));
    REQUIRE(bad->wait_until(deadline));
  }
  CHECK(good->error.empty());
  CHECK(good->results[1].hypotheses.front().text ==
        translator.translate({"c"}, translator.default_options())[0].hypotheses[0].text);
  CHECK_THAT(bad->error, Catch::Contains("line 2"));
  CHECK_THAT(bad->error, Catch::Contains("UTF-8"));
}
