#include "server/translation_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <thread>

#include "core/error.hpp"
#include "server/request.hpp"

namespace rnmt {

namespace {

constexpr const char* kJson = "application/json";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

TranslationServer::TranslationServer(std::vector<ServedModel> models, ServerOptions options,
                                     std::ostream& log)
    : served_(std::move(models)),
      options_(options),
      log_(log),
      http_(std::make_unique<httplib::Server>()) {
  if (served_.empty()) throw Error("serve: no model given");
  for (size_t i = 0; i < served_.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (served_[i].name == served_[k].name)
        throw Error("serve: two models are named '" + served_[i].name + "'");
  if (options_.threads < 1) throw Error("serve: --threads must be at least 1");
  if (options_.workers < 0) throw Error("serve: --workers must not be negative");
  if (options_.workers == 0) options_.workers = options_.threads;
  if (options_.max_batch_size < 1) throw Error("serve: --max-batch-size must be at least 1");
  if (options_.max_batch_delay_ms < 0)
    throw Error("serve: --max-batch-delay-ms must not be negative");
  if (options_.max_lines < 1) throw Error("serve: --max-lines must be at least 1");
  if (options_.timeout_ms < 1) throw Error("serve: --timeout-ms must be at least 1");
  const int http_threads = std::max(1, options_.http_threads);
  http_->new_task_queue = [http_threads] {
    return new httplib::ThreadPool(static_cast<size_t>(http_threads));
  };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_keep_alive_max_count(1000);
  // Small answers on keep-alive connections: without TCP_NODELAY, Nagle's algorithm and the
  // client's delayed ACK add some 40 ms to each.
  http_->set_tcp_nodelay(true);
  routes();
}

TranslationServer::~TranslationServer() = default;

int TranslationServer::bind() {
  // httplib's own socket options add SO_REUSEPORT, with which a second server on the same port
  // binds without error and takes half of the connections: SO_REUSEADDR alone refuses it.
  int listen_socket = -1;
  http_->set_socket_options([&listen_socket](int socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket = socket;
  });
  const int port = options_.port == 0
                       ? http_->bind_to_any_port(options_.host)
                       : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0)
    throw Error("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                " (in use, or not an address of this machine?)");
  // Debian's libcpp-httplib is compiled with a listen backlog of 5: when more clients connect at
  // once than that (scripts opening a connection per request), the kernel drops the rest's
  // handshakes, to be retried a second or more later, or reset. A
  // second listen() on the same socket sets the backlog; the kernel caps it at somaxconn.
  const int backlog = std::max(options_.http_threads, SOMAXCONN);
  if (::listen(listen_socket, backlog) != 0)
    throw Error(std::string("serve: cannot set the listen backlog: ") + std::strerror(errno));
  std::ifstream somaxconn_file("/proc/sys/net/core/somaxconn");
  if (int somaxconn = 0; somaxconn_file >> somaxconn && somaxconn < options_.http_threads) {
    std::lock_guard lock(log_mutex_);
    log_ << "serve: warning: the kernel keeps at most net.core.somaxconn = " << somaxconn
         << " connections waiting, fewer than --http-threads " << options_.http_threads
         << ": more clients connecting at once may be reset (sysctl -w net.core.somaxconn=N)"
         << std::endl;
  }
  options_.port = port;
  return port;
}

void TranslationServer::load_models() {
  try {
    for (const ServedModel& m : served_) {
      const Clock::time_point start = Clock::now();
      auto model = std::make_unique<Model>();
      model->served = m;
      model->translator = std::make_unique<Translator>(m.path);
      model->defaults = model->translator->default_options();
      model->batcher = std::make_unique<Batcher>(
          *model->translator,
          BatcherOptions{.max_batch_size = options_.max_batch_size,
                         .max_delay_ms = options_.max_batch_delay_ms,
                         .max_queue_lines = options_.max_queue_lines,
                         .workers = options_.workers,
                         .threads_per_batch = std::max(1, options_.threads / options_.workers)},
          metrics_);
      std::lock_guard lock(log_mutex_);
      log_ << "serve: model '" << m.name << "' from " << m.path << " loaded in "
           << static_cast<int>(seconds_since(start) * 1000) << " ms" << std::endl;
      models_.push_back(std::move(model));
    }
    ready_ = true;
    std::lock_guard lock(log_mutex_);
    log_ << "serve: ready on http://" << options_.host << ":" << options_.port << " ("
         << models_.size() << " model" << (models_.size() == 1 ? "" : "s") << ", "
         << options_.threads << " threads in " << options_.workers << " workers, batches of up to "
         << options_.max_batch_size << " lines after at most " << options_.max_batch_delay_ms
         << " ms)" << std::endl;
  } catch (const std::exception& e) {
    load_error_ = e.what();
    stop();
  }
}

void TranslationServer::serve() {
  serving_ = true;
  std::thread loader([this] { load_models(); });
  // Returns after stop(), once the requests in flight are answered.
  if (!stopping_) http_->listen_after_bind();
  listen_done_ = true;
  loader.join();
  for (auto& m : models_) m->batcher.reset();  // no line is left queued: every request is done
  if (!load_error_.empty()) throw Error(load_error_);
}

int64_t TranslationServer::in_flight() const {
  std::lock_guard lock(in_flight_mutex_);
  return in_flight_;
}

void TranslationServer::add_in_flight(int64_t change) {
  std::lock_guard lock(in_flight_mutex_);
  in_flight_ += change;
  metrics_.set_in_flight(in_flight_);
  if (in_flight_ == 0) drained_.notify_all();
}

void TranslationServer::stop() {
  stopping_ = true;  // from here on, new requests are answered 503 (translate() checks it)
  if (ready_)        // lines waiting for company go now, and lines submitted later do not wait
    for (auto& m : models_) m->batcher->flush();
  {
    // A request counted before stopping_ was set is answered in full; one counted after it sees
    // stopping_ and gets 503 at once. Either way the count comes back to 0.
    std::unique_lock lock(in_flight_mutex_);
    drained_.wait(lock, [this] { return in_flight_ == 0; });
  }
  if (!serving_) return;  // serve() will not listen
  // serve() may be about to listen: httplib's stop() only ends a listen that has begun.
  while (!http_->is_running() && !listen_done_)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http_->stop();
}

std::string TranslationServer::translate(const std::string& body, int& status, int64_t& lines) {
  const Clock::time_point start = Clock::now();
  if (stopping_) {
    status = 503;
    return error_body("the server is stopping: it answers the requests it has, and no new ones");
  }
  if (!ready_) {
    status = 503;
    return error_body("the models are still loading");
  }
  try {
    TranslateRequest request = parse_translate_request(body);
    lines = static_cast<int64_t>(request.lines.size());
    if (lines > options_.max_lines)
      throw RequestError{400, "too many lines: " + std::to_string(lines) + " (at most " +
                                  std::to_string(options_.max_lines) + " per request)"};
    Model* model = models_.front().get();
    if (!request.model.empty()) {
      model = nullptr;
      for (auto& m : models_)
        if (m->served.name == request.model) model = m.get();
      if (!model)
        throw RequestError{400, "unknown model '" + request.model + "' (GET /models lists them)"};
    }
    const TranslationOptions options = apply_options(request.options, model->defaults);
    try {  // the options' own checks, before any line waits in the queue
      model->translator->validate(options);
    } catch (const Error& e) {
      throw RequestError{400, std::string("invalid options: ") + e.what()};
    }
    if (!options.target_prefix.empty() && options.target_prefix.size() != request.lines.size())
      throw RequestError{400, "target_prefix: one per line (" +
                                  std::to_string(request.lines.size()) + " lines, " +
                                  std::to_string(options.target_prefix.size()) + " prefixes)"};
    std::vector<TranslationResult> results;
    if (!request.lines.empty()) {
      auto pending =
          std::make_shared<PendingRequest>(request.lines, options, batch_key(options, ++serial_));
      if (!model->batcher->submit(pending))
        throw RequestError{503, "overloaded: the queue is full (" +
                                    std::to_string(options_.max_queue_lines) +
                                    " lines); retry later"};
      const int64_t timeout = request.timeout_ms.value_or(options_.timeout_ms);
      if (!pending->wait_until(start + std::chrono::milliseconds(timeout)))
        throw RequestError{504, "timed out after " + std::to_string(timeout) + " ms"};
      std::lock_guard lock(pending->mutex);
      if (!pending->error.empty()) throw RequestError{400, pending->error};
      results = std::move(pending->results);
    }
    status = 200;
    return translate_response(request, model->served.name, results, options);
  } catch (const RequestError& e) {
    status = e.status;
    return error_body(e.message);
  }
}

void TranslationServer::routes() {
  auto translate_handler = [this](const httplib::Request& req, httplib::Response& res) {
    const Clock::time_point start = Clock::now();
    int status = 500;
    int64_t lines = 0;
    // Counted from before translate() checks stopping_ (see stop()) until it returns or throws.
    struct InFlight {
      TranslationServer& server;
      explicit InFlight(TranslationServer& s) : server(s) { server.add_in_flight(+1); }
      ~InFlight() { server.add_in_flight(-1); }
    };
    std::string body;
    {
      const InFlight counted(*this);
      body = translate(req.body, status, lines);
    }
    res.status = status;
    res.set_header("X-Rnmt-Lines", std::to_string(lines));
    res.set_content(body, kJson);
    metrics_.request(req.path, status, seconds_since(start), lines);
  };
  http_->Post("/translate", translate_handler);
  http_->Post("/translator/translate", translate_handler);  // OpenNMT-py's path
  http_->Get("/health", [this](const httplib::Request& req, httplib::Response& res) {
    const char* state = stopping_ ? "stopping" : ready_ ? "ready" : "loading";
    res.status = ready_ && !stopping_ ? 200 : 503;
    res.set_content(nlohmann::json{{"status", state}}.dump(), kJson);
    metrics_.request(req.path, res.status, 0, 0);
  });
  auto models_handler = [this](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json list = nlohmann::json::array();
    if (ready_) {
      for (size_t i = 0; i < models_.size(); ++i) {
        const TranslationOptions& d = models_[i]->defaults;
        list.push_back({{"name", models_[i]->served.name},
                        {"path", models_[i]->served.path},
                        {"default", i == 0},
                        {"options",
                         {{"beam_size", d.beam_size},
                          {"length_penalty", d.length_penalty},
                          {"max_length_ratio", d.max_length_ratio}}}});
      }
    }
    res.status = ready_ ? 200 : 503;
    res.set_content(nlohmann::json{{"models", list}}.dump(), kJson);
    metrics_.request(req.path, res.status, 0, 0);
  };
  http_->Get("/models", models_handler);
  http_->Get("/translator/models", models_handler);
  http_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    res.set_content(metrics_.text(), "text/plain; version=0.0.4");
    metrics_.request(req.path, 200, 0, 0);
  });
  // Errors httplib answers itself (no route: 404; body over the limit: 413) get a JSON body too.
  http_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own error answer (and already counted)
    std::string message = "HTTP error " + std::to_string(res.status);
    if (res.status == 404) message = "no such endpoint: " + req.method + " " + req.path;
    if (res.status == 413 &&
        req.get_header_value("Content-Type") == "application/x-www-form-urlencoded")
      message =
          "cpp-httplib caps bodies sent as application/x-www-form-urlencoded (curl -d's default) "
          "at 8 KiB: send Content-Type: application/json";
    else if (res.status == 413)
      message = "the body is larger than the server's limit of " +
                std::to_string(options_.max_body_bytes) + " bytes";
    res.set_content(error_body(message), kJson);
    metrics_.request(req.path, res.status, 0, 0);
  });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string message = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          message += std::string(": ") + e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(error_body(message), kJson);
      });
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    std::lock_guard lock(log_mutex_);
    log_ << utc_now() << " " << req.remote_addr << " \"" << req.method << " " << req.path << "\" "
         << res.status << " " << res.body.size() << " B";
    if (res.has_header("X-Rnmt-Lines")) {
      const std::string lines = res.get_header_value("X-Rnmt-Lines");
      log_ << " " << lines << (lines == "1" ? " line" : " lines");
    }
    log_ << std::endl;
  });
}

}  // namespace rnmt
