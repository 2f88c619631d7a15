#include "net/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "common/log.hpp"
#include "common/reasons.hpp"

namespace vnh::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Open connections per source address and in total. A Slot is held by the session serving
// the connection (HTTP, then websocket after an upgrade) and gives its place back when it goes.
class ConnectionSlots : public std::enable_shared_from_this<ConnectionSlots> {
 public:
  ConnectionSlots(std::size_t total, std::size_t per_source, std::shared_ptr<ServerStats> stats)
      : total_(total), per_source_(per_source), stats_(std::move(stats)) {}
  struct Slot {
    std::shared_ptr<ConnectionSlots> owner;
    std::string source;
    ~Slot() { owner->give_back(source); }
  };
  std::shared_ptr<Slot> take(const std::string& source) {
    std::lock_guard lk(mu_);
    auto& n = by_source_[source];
    if (open_ >= total_ || n >= per_source_) {
      if (n == 0) by_source_.erase(source);
      return nullptr;
    }
    ++n;
    ++open_;
    ++stats_->open_connections;
    return std::shared_ptr<Slot>(new Slot{shared_from_this(), source});
  }

 private:
  void give_back(const std::string& source) {
    std::lock_guard lk(mu_);
    auto it = by_source_.find(source);
    if (it != by_source_.end() && --it->second == 0) by_source_.erase(it);
    --open_;
    --stats_->open_connections;
  }
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> by_source_;
  std::size_t open_ = 0;
  const std::size_t total_, per_source_;
  std::shared_ptr<ServerStats> stats_;
};
using SlotPtr = std::shared_ptr<ConnectionSlots::Slot>;

void fail(beast::error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == websocket::error::closed || ec == asio::error::eof ||
      ec == beast::error::timeout || ec == asio::error::connection_reset) {
    return;
  }
  log::debug("msg=\"connection error\" op={} error={}", what, log::q(ec.message()));
}

// One websocket connection: reads on its strand, writes one at a time from a bounded queue.
class WebSocketSession final : public WsConnection, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(tcp::socket&& socket, std::shared_ptr<WsHandler> handler, const Limits& limits,
                   std::shared_ptr<ServerStats> stats, std::string remote, SlotPtr slot)
      : ws_(std::move(socket)), handler_(std::move(handler)), limits_(limits), stats_(std::move(stats)),
        remote_(std::move(remote)), slot_(std::move(slot)), write_deadline_(ws_.get_executor()) {}

  void run(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30),
                                                   std::chrono::seconds(limits_.ws_idle_timeout_s), true});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "vnh"); }));
    ws_.read_message_max(limits_.ws_message_bytes);
    // Accept the upgrade with the request we already read.
    ws_.async_accept(req, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
  }

  void send(std::shared_ptr<const std::string> data, bool binary) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), data = std::move(data), binary] {
      self->enqueue(std::move(data), binary);
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->do_close(code, reason);
    });
  }

  const std::string& remote() const override { return remote_; }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> data;
    bool binary;
  };

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "ws accept");
    ++stats_->ws_open;
    open_ = true;
    handler_->on_open(shared_from_this());
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      finish(ec == websocket::error::message_too_big ? "frame too large" : ec.message());
      if (ec == websocket::error::message_too_big) {
        // Tell the peer why before the socket goes (best effort).
        websocket::close_reason cr(websocket::close_code::too_big, "frame larger than the limit");
        ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
      }
      return;
    }
    std::string msg = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    handler_->on_message(std::move(msg), ws_.got_binary());
    if (!closing_) do_read();
  }

  void enqueue(std::shared_ptr<const std::string> data, bool binary) {
    if (closing_ || !open_) return;
    queued_bytes_ += data->size();
    if (queued_bytes_ > limits_.ws_send_queue_bytes) {
      ++stats_->ws_closed_slow;
      do_close(static_cast<std::uint16_t>(websocket::close_code::policy_error), "slow reader: send queue full");
      return;
    }
    queue_.push_back({std::move(data), binary});
    if (queue_.size() == 1) do_write();
  }

  void do_write() {
    ws_.binary(queue_.front().binary);
    // Beast's websocket timeouts watch reads; a write the peer never takes is ours to end.
    write_deadline_.expires_after(std::chrono::seconds(limits_.write_timeout_s));
    write_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // the write finished (cancelled) first
      ++self->stats_->dropped_not_reading;
      self->finish("peer not reading");
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
    ws_.async_write(asio::buffer(*queue_.front().data),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    write_deadline_.cancel();
    if (ec) {
      finish(ec.message());
      return fail(ec, "ws write");
    }
    if (queue_.empty()) return;  // the queue was dropped by a close meanwhile
    queued_bytes_ -= queue_.front().data->size();
    queue_.pop_front();
    if (!queue_.empty() && !closing_) do_write();
  }

  void do_close(std::uint16_t code, const std::string& reason) {
    if (closing_ || !open_) return;
    closing_ = true;
    // Drop what has not started; a write in flight (the front) completes on its own.
    while (queue_.size() > 1) queue_.pop_back();
    queued_bytes_ = queue_.empty() ? 0 : queue_.front().data->size();
    websocket::close_reason cr(static_cast<websocket::close_code>(code), reason.substr(0, 120));
    ws_.async_close(cr, [self = shared_from_this(), reason](beast::error_code) { self->finish(reason); });
  }

  void finish(const std::string& reason) {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    if (open_) handler_->on_close(reason);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<WsHandler> handler_;
  Limits limits_;
  std::shared_ptr<ServerStats> stats_;
  std::string remote_;
  SlotPtr slot_;
  asio::steady_timer write_deadline_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

// One HTTP connection: read a request, answer it, read the next (no pipelining).
class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, const Router& router, const Limits& limits, std::shared_ptr<ServerStats> stats,
              std::string remote, SlotPtr slot)
      : stream_(std::move(socket)), router_(router), limits_(limits), stats_(std::move(stats)),
        remote_(std::move(remote)), slot_(std::move(slot)) {}

  void run() {
    // Start on the session's strand.
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(limits_.http_body_bytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(std::chrono::seconds(limits_.http_read_timeout_s));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec == http::error::body_limit) {
      auto r = json_error(413, std::string(transport::kPayloadTooLarge),
                          fmt::format("request body larger than {} bytes", limits_.http_body_bytes));
      r.close = true;
      return send(std::move(r), 11, false);
    }
    if (ec == beast::error::timeout) return do_close();
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        auto r = json_error(400, std::string(transport::kBadRequest), "malformed HTTP request: " + ec.message());
        r.close = true;
        return send(std::move(r), 11, false);
      }
      return fail(ec, "read");
    }
    ++stats_->requests;
    auto req = parser_->release();
    Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.remote = remote_;
    auto parsed = boost::urls::parse_origin_form(req.target());
    if (!parsed) {
      auto res = json_error(400, std::string(transport::kBadRequest), "malformed request target");
      return send(std::move(res), req.version(), req.keep_alive());
    }
    r.path = url_decode(parsed->encoded_path(), false);
    r.query = parse_query(parsed->encoded_query());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // Two credentials are one too many: which one would be the caller's? (SPEC §9)
      if ((name == "authorization" || name == "x-pbx-secret") && r.headers.count(name)) {
        return send(json_error(400, std::string(transport::kBadRequest), "the " + name + " header is sent twice"),
                    req.version(), false);
      }
      r.headers[name] = std::string(f.value());
    }
    if (websocket::is_upgrade(req)) {
      const WsFactory* factory = router_.ws(r.path);
      if (!factory) {
        return send(json_error(404, std::string(transport::kNotFound), "no websocket endpoint at " + r.path), req.version(), false);
      }
      Upgrade up = (*factory)(r);
      if (!up.handler) return send(std::move(up.refusal), req.version(), false);
      stream_.expires_never();
      std::make_shared<WebSocketSession>(stream_.release_socket(), std::move(up.handler), limits_, stats_, remote_,
                                         std::move(slot_))
          ->run(std::move(req));
      return;
    }
    r.body = std::move(req.body());
    unsigned version = req.version();
    bool keep_alive = req.keep_alive();
    bool head = req.method() == http::verb::head;
    // Answer on this strand whatever thread the handler finishes on.
    auto self = shared_from_this();
    router_.handle(std::move(r), [self, version, keep_alive, head](Response res) {
      asio::post(self->stream_.get_executor(), [self, res = std::move(res), version, keep_alive, head]() mutable {
        if (head) res.body.clear();
        self->send(std::move(res), version, keep_alive);
      });
    });
  }

  void send(Response res, unsigned version, bool keep_alive) {
    auto msg = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(res.status), version);
    msg->set(http::field::server, "vnh");
    msg->set(http::field::content_type, res.content_type);
    msg->set(http::field::cache_control, "no-store");
    msg->set("X-Content-Type-Options", "nosniff");
    for (const auto& [k, v] : res.headers) msg->set(k, v);
    msg->keep_alive(keep_alive && !res.close);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    bool close = msg->need_eof();
    stream_.expires_after(std::chrono::seconds(limits_.write_timeout_s));
    http::async_write(stream_, *msg, [self = shared_from_this(), msg, close](beast::error_code ec, std::size_t) {
      if (ec == beast::error::timeout) ++self->stats_->dropped_not_reading;
      if (ec) return fail(ec, "write");
      if (close) return self->do_close();
      self->do_read();
    });
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Router& router_;
  Limits limits_;
  std::shared_ptr<ServerStats> stats_;
  std::string remote_;
  SlotPtr slot_;
};

}  // namespace

class HttpServer::Listener final : public std::enable_shared_from_this<HttpServer::Listener> {
 public:
  Listener(asio::io_context& ioc, const Router& router, Limits limits, std::shared_ptr<ServerStats> stats)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), backoff_timer_(acceptor_.get_executor()), router_(router),
        limits_(limits), stats_(stats),
        slots_(std::make_shared<ConnectionSlots>(limits.max_connections, limits.max_connections_per_source, stats)) {}

  Status open(const tcp::endpoint& ep) {
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status(Code::kUnavailable, fmt::format("cannot listen on {}:{}: {}", ep.address().to_string(), ep.port(), ec.message()));
    return Status::Ok();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void run() { do_accept(); }
  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->backoff_timer_.cancel();
    });
  }

 private:
  void do_accept() {
    // Each connection gets its own strand.
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      ++stats_->accept_errors;
      // Out of files or memory: the pending connection stays in the backlog and accept would
      // fail again at once. Wait, longer each time, so the loop does not spin and the rest of
      // the server (and whoever frees a file) gets the CPU.
      backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(50) : std::min(backoff_ * 2, std::chrono::milliseconds(1000));
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning_ > std::chrono::seconds(10)) {
        last_warning_ = now;
        log::warn("msg=\"accept failed; waiting before the next\" error={} wait_ms={} open={}", log::q(ec.message()),
                  backoff_.count(), stats_->open_connections.load());
      }
      backoff_timer_.expires_after(backoff_);
      backoff_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e && self->acceptor_.is_open()) self->do_accept();
      });
      return;
    }
    backoff_ = {};
    ++stats_->connections;
    std::string remote;
    {
      beast::error_code e;
      auto ep = socket.remote_endpoint(e);
      if (!e) remote = ep.address().to_string();
    }
    if (auto slot = slots_->take(remote)) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), router_, limits_, stats_, std::move(remote), std::move(slot))->run();
    } else {
      ++stats_->refused_over_cap;  // closed here: costs one accept, holds nothing
      socket.close(ec);
    }
    if (acceptor_.is_open()) do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point last_warning_{};
  const Router& router_;
  Limits limits_;
  std::shared_ptr<ServerStats> stats_;
  std::shared_ptr<ConnectionSlots> slots_;
};

HttpServer::HttpServer(asio::io_context& ioc, const Router& router, Limits limits)
    : ioc_(ioc), router_(router), limits_(limits) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::listen(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return invalid("listen", "expected HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) return invalid("listen", "bad port in " + address);
  beast::error_code ec;
  auto ip = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return invalid("listen", "bad address " + host);
  listener_ = std::make_shared<Listener>(ioc_, router_, limits_, stats_);
  VNH_RETURN_IF_ERROR(listener_->open(tcp::endpoint(ip, static_cast<unsigned short>(port))));
  port_ = listener_->port();
  listener_->run();
  return Status::Ok();
}

void HttpServer::stop() {
  if (listener_) listener_->stop();
}

}  // namespace vnh::net
