#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "rnmt/translator.hpp"
#include "server/batcher.hpp"
#include "server/metrics.hpp"

namespace httplib {
class Server;
}

namespace rnmt {

struct ServedModel {
  std::string name;  // what requests call it ("model" or OpenNMT-py's "id")
  std::string path;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0: any free port (bind() says which)
  int threads = 2;                 // CPU threads translating, over all workers
  int workers = 0;                 // batches translated side by side (0: one per thread)
  int64_t max_batch_size = 32;     // lines in a batch
  int64_t max_batch_delay_ms = 5;  // how long a line waits for others to join its batch
  size_t max_body_bytes = size_t{1} << 20;
  int64_t max_lines = 1000;         // per request
  int64_t max_queue_lines = 10000;  // beyond this: 503
  int64_t timeout_ms = 30000;       // per request, unless the request sets timeout_ms
  int http_threads = 128;           // connections served at once
};

// rnmt serve: an HTTP/JSON translation server on cpp-httplib (docs/serving.md).
// Models load in the background after bind(): until they have, /health answers 503 and
// /translate 503. stop() (from any thread, e.g. on SIGTERM) drains: requests already received are
// answered, while new ones get 503 ("stopping") and /health says "stopping"; once none is left in
// flight the server stops listening, stop() returns, and serve() returns.
class TranslationServer {
 public:
  TranslationServer(std::vector<ServedModel> models, ServerOptions options, std::ostream& log);
  ~TranslationServer();
  TranslationServer(const TranslationServer&) = delete;
  TranslationServer& operator=(const TranslationServer&) = delete;

  int bind();  // the port listened on; an Error when the address cannot be bound
  // Loads the models and serves until stop(); an Error when a model fails to load.
  void serve();
  void stop();
  bool ready() const { return ready_; }
  int64_t in_flight() const;  // translate requests received and not yet answered

 private:
  struct Model {
    ServedModel served;
    std::unique_ptr<Translator> translator;
    TranslationOptions defaults;
    std::unique_ptr<Batcher> batcher;
  };
  void load_models();
  void routes();
  std::string translate(const std::string& body, int& status, int64_t& lines);
  void add_in_flight(int64_t change);

  std::vector<ServedModel> served_;
  ServerOptions options_;
  std::ostream& log_;
  std::mutex log_mutex_;
  ServerMetrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  std::vector<std::unique_ptr<Model>> models_;  // in the order given; the first is the default
  std::atomic<bool> ready_{false}, stopping_{false}, serving_{false}, listen_done_{false};
  std::atomic<uint64_t> serial_{0};
  mutable std::mutex in_flight_mutex_;
  std::condition_variable drained_;  // in_flight_ reached 0
  int64_t in_flight_ = 0;
  std::string load_error_;
};

}  // namespace rnmt
