#pragma once
// HttpServer: accepts TCP connections on an io_context and serves HTTP/1.1 with Beast, one
// strand per connection, handing requests to the Router and upgrading websocket requests
// to WebSocket sessions (frame size limit, bounded send queue, Beast's server timeouts).
// Connections are capped in total and per source; a peer that never reads is dropped after
// write_timeout_s; when accept fails for want of files or memory the loop waits (50 ms,
// doubling to 1 s) instead of spinning, and says so in the log once per 10 s.
// Modelled on Beast's advanced_server and websocket chat-multi examples.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.hpp"
#include "net/router.hpp"

namespace vnh::net {

struct Limits {
  std::size_t http_body_bytes = 1 << 20;        // larger bodies get 413
  std::size_t ws_message_bytes = 64 * 1024;     // larger frames close the socket (1009)
  std::size_t ws_send_queue_bytes = 4 << 20;    // a reader this far behind is closed (1008)
  int http_read_timeout_s = 30;
  int ws_idle_timeout_s = 60;                   // with keep-alive pings
  // A peer that does not take an answer or a websocket message within this is dropped: one
  // that sends and never reads would otherwise hold its connection (and a file) forever.
  int write_timeout_s = 30;
  // Open connections (HTTP and websocket) in total and from one address; one more is closed
  // as soon as it is accepted. Keep the total under the process's file limit (RLIMIT_NOFILE).
  std::size_t max_connections = 8192;
  std::size_t max_connections_per_source = 1024;
};

struct ServerStats {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> ws_open{0};
  std::atomic<std::uint64_t> ws_closed_slow{0};
  std::atomic<std::uint64_t> refused_over_cap{0};    // closed at accept: a cap was reached
  std::atomic<std::uint64_t> accept_errors{0};       // accept failed (out of files, memory…)
  std::atomic<std::uint64_t> dropped_not_reading{0};  // a write did not finish in write_timeout_s
  std::atomic<std::int64_t> open_connections{0};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, const Router& router, Limits limits);
  ~HttpServer();
  // Binds and starts accepting. "host:port", port 0 picks a free one.
  Status listen(const std::string& address);
  unsigned short port() const { return port_; }
  void stop();  // stops accepting; open sessions end with the io_context
  const ServerStats& stats() const { return *stats_; }

 private:
  class Listener;
  boost::asio::io_context& ioc_;
  const Router& router_;
  Limits limits_;
  std::shared_ptr<Listener> listener_;
  std::shared_ptr<ServerStats> stats_ = std::make_shared<ServerStats>();
  unsigned short port_ = 0;
};

}  // namespace vnh::net
