// rnmt serve: the HTTP/JSON translation server (server/), with its command-line options and
// SIGINT/SIGTERM handling: answer what is in flight (new requests get 503), then exit 0; a second
// signal during that drain exits at once (128 + the signal), as gunicorn and uvicorn do.
#include <pthread.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "server/translation_server.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

// "-m PATH" serves PATH as "default"; "-m NAME=PATH" under NAME (a name has no '/').
ServedModel served_model(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq != std::string::npos && eq > 0 && arg.substr(0, eq).find('/') == std::string::npos)
    return {arg.substr(0, eq), arg.substr(eq + 1)};
  return {"default", arg};
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  std::vector<std::string> model_args;
  ServerOptions o;
  int64_t max_body_kib = 1024;
  po::options_description desc(
      "rnmt serve: an HTTP/JSON translation server. Lines of concurrent requests are batched\n"
      "together. POST /translate, GET /models, /health, /metrics (docs/serving.md).\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "model,m", po::value(&model_args)->required()->composing(),
      "model file to serve, as 'default' (PATH) or under a name (NAME=PATH); repeat for more; "
      "the first is used when a request names none")(
      "host", po::value(&o.host)->default_value("127.0.0.1"),
      "address to listen on (0.0.0.0: every interface)")(
      "port", po::value(&o.port)->default_value(8080), "TCP port (0: any free port)")(
      "threads", po::value(&o.threads)->default_value(2), "CPU threads translating")(
      "workers", po::value(&o.workers)->default_value(0),
      "batches translated side by side, sharing the threads (0: one per thread)")(
      "max-batch-size", po::value(&o.max_batch_size)->default_value(32), "lines in a batch")(
      "max-batch-delay-ms", po::value(&o.max_batch_delay_ms)->default_value(5),
      "how long a line may wait for others to join its batch")(
      "max-lines", po::value(&o.max_lines)->default_value(1000), "lines per request")(
      "max-body-kib", po::value(&max_body_kib)->default_value(1024),
      "request body limit in KiB (larger: 413)")(
      "max-queue-lines", po::value(&o.max_queue_lines)->default_value(10000),
      "lines waiting at most; more: 503")(
      "timeout-ms", po::value(&o.timeout_ms)->default_value(30000),
      "a request not answered by then gets 504 (a request may set its own timeout_ms)")(
      "http-threads", po::value(&o.http_threads)->default_value(128), "connections served at once");
  po::variables_map vm;
  if (const int status = parse_command(args, desc, vm, "serve"); status >= 0) return status;
  if (max_body_kib < 1) throw Error("--max-body-kib must be at least 1");
  o.max_body_bytes = static_cast<size_t>(max_body_kib) * 1024;
  std::vector<ServedModel> models;
  for (const std::string& arg : model_args) models.push_back(served_model(arg));

  // SIGINT and SIGTERM go to one watcher thread (blocked before any other thread exists).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  TranslationServer server(models, o, std::cerr);
  const int port = server.bind();
  std::cerr << "serve: listening on http://" << o.host << ":" << port << ", loading "
            << models.size() << " model" << (models.size() == 1 ? "" : "s") << std::endl;
  std::atomic<bool> finished{false};
  std::thread stopper;  // drains the server after the first signal
  std::thread watcher([&] {
    for (int signals_seen = 0;; ++signals_seen) {
      int signal = 0;
      while (sigwait(&signals, &signal) != 0) {
      }
      if (finished) return;
      const char* name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
      if (signals_seen == 0) {
        std::cerr << "serve: " << name
                  << ": answering the requests in flight (new ones get 503); "
                     "a second signal stops at once"
                  << std::endl;
        stopper = std::thread([&] { server.stop(); });
        continue;
      }
      std::cerr << "serve: second " << name << ": stopping now, " << server.in_flight()
                << " request(s) unanswered" << std::endl;
      std::_Exit(128 + signal);
    }
  });
  const auto end_watch = [&] {
    finished = true;
    pthread_kill(watcher.native_handle(), SIGTERM);  // wakes the watcher if no signal came
    watcher.join();
    if (stopper.joinable()) stopper.join();
  };
  try {
    server.serve();
  } catch (...) {
    end_watch();
    throw;
  }
  end_watch();
  std::cerr << "serve: stopped" << std::endl;
  return 0;
}

}  // namespace rnmt::cli
