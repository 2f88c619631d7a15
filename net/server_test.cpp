// The HTTP server against hostile peers and a failing machine (SPEC §9): connection caps, a
// peer that never reads, an accept loop out of file descriptors. Real sockets on 127.0.0.1,
// the server in this process so its counters can be read; no fixed sleeps (every wait polls
// a condition with a deadline).
#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <boost/beast/websocket.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "net/server.hpp"

using namespace vnh;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 5000ms) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::yield();
    std::this_thread::sleep_for(2ms);  // a poll interval, not a wait for something to happen
  }
  return cond();
}

struct Served {
  asio::io_context ioc;
  net::Router router;
  std::unique_ptr<net::HttpServer> server;
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{ioc.get_executor()};
  explicit Served(net::Limits limits) {
    router.add("GET", "/ping", [](net::Request&&, net::Respond r) { r(net::Response{200, "text/plain", {}, "pong"}); });
    router.add("GET", "/big", [](net::Request&&, net::Respond r) {
      r(net::Response{200, "application/octet-stream", {}, std::string(64 << 20, 'x')});
    });
    server = std::make_unique<net::HttpServer>(ioc, router, limits);
    REQUIRE(server->listen("127.0.0.1:0").ok());
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  ~Served() {
    server->stop();
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
  }
  const net::ServerStats& stats() const { return server->stats(); }
  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), server->port()}; }
};

// A blocking client socket (its own io_context), optionally from another loopback address.
struct Peer {
  asio::io_context ioc;
  tcp::socket sock{ioc};
  Peer(const tcp::endpoint& to, const std::string& from = "") {
    sock.open(tcp::v4());
    if (!from.empty()) sock.bind({asio::ip::make_address(from), 0});
    sock.connect(to);
  }
  std::string get(const std::string& path) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(sock, asio::buffer(req));
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    while (out.find("\r\n\r\n") == std::string::npos) {
      std::size_t n = sock.read_some(asio::buffer(buf), ec);
      if (ec) return out;
      out.append(buf, n);
    }
    return out;
  }
  // Whether the server has closed this connection (a read sees the end).
  bool closed_by_server() {
    sock.non_blocking(true);
    char c;
    boost::system::error_code ec;
    sock.read_some(asio::buffer(&c, 1), ec);
    sock.non_blocking(false);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
};

}  // namespace

TEST_CASE("connections over the per-source cap are closed at accept; other sources and freed places go on",
          "[net][caps]") {
  net::Limits l;
  l.max_connections_per_source = 3;
  Served s(l);
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < 3; ++i) {
    peers.push_back(std::make_unique<Peer>(s.endpoint(), "127.0.0.2"));
    CHECK(peers.back()->get("/ping").find("200 OK") != std::string::npos);
  }
  Peer fourth(s.endpoint(), "127.0.0.2");
  CHECK(eventually([&] { return fourth.closed_by_server(); }));
  CHECK(s.stats().refused_over_cap == 1);
  Peer other(s.endpoint(), "127.0.0.3");  // another desk is not affected
  CHECK(other.get("/ping").find("200 OK") != std::string::npos);
  peers.pop_back();  // one of the three goes: its place is free again
  CHECK(eventually([&] { return s.stats().open_connections.load() == 3; }));
  Peer again(s.endpoint(), "127.0.0.2");
  CHECK(again.get("/ping").find("200 OK") != std::string::npos);
}

TEST_CASE("connections over the total cap are closed at accept", "[net][caps]") {
  net::Limits l;
  l.max_connections = 2;
  Served s(l);
  Peer a(s.endpoint(), "127.0.0.2"), b(s.endpoint(), "127.0.0.3");
  CHECK(a.get("/ping").find("200 OK") != std::string::npos);
  CHECK(b.get("/ping").find("200 OK") != std::string::npos);
  Peer c(s.endpoint(), "127.0.0.4");
  CHECK(eventually([&] { return c.closed_by_server(); }));
  CHECK(s.stats().refused_over_cap == 1);
}

TEST_CASE("a peer that asks and never reads the answer is dropped after the write timeout", "[net][slow]") {
  net::Limits l;
  l.write_timeout_s = 1;
  Served s(l);
  Peer p(s.endpoint());
  p.sock.set_option(asio::socket_base::receive_buffer_size(4096));
  std::string req = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(p.sock, asio::buffer(req));  // …and never reads: 64 MiB cannot fit in the buffers
  CHECK(eventually([&] { return s.stats().dropped_not_reading.load() == 1; }, 10s));
  CHECK(eventually([&] { return s.stats().open_connections.load() == 0; }));
}

TEST_CASE("out of file descriptors, the accept loop waits instead of spinning and serves again when files are "
          "free", "[net][fds]") {
  Served s(net::Limits{});
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  // Sockets for the peers first (connect needs no new file), then fill the table.
  asio::io_context cioc;
  tcp::socket pre(cioc);
  pre.open(tcp::v4());
  std::vector<int> filler;
  rlimit low = old;
  low.rlim_cur = 256;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  for (;;) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    filler.push_back(fd);
  }
  REQUIRE(errno == EMFILE);
  pre.connect(s.endpoint());  // in the backlog; the server's accept fails: no file for it
  CHECK(eventually([&] { return s.stats().accept_errors.load() >= 3; }));
  // 50 + 100 + 200 ms of waiting between those three; a spinning loop made millions meanwhile.
  const auto errors = s.stats().accept_errors.load();
  CHECK(errors < 10);
  for (int fd : filler) ::close(fd);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
  // The waiting connection is taken and served once the loop tries again.
  std::string req = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(pre, asio::buffer(req));
  char buf[256];
  boost::system::error_code ec;
  std::size_t n = pre.read_some(asio::buffer(buf), ec);
  CHECK(std::string(buf, n).find("200 OK") != std::string::npos);
}

namespace {
// Sends a lot on open; the peer of the test never reads it.
struct Flooder : net::WsHandler {
  void on_open(std::shared_ptr<net::WsConnection> c) override {
    auto chunk = std::make_shared<const std::string>(std::string(1 << 20, 'y'));
    for (int i = 0; i < 64; ++i) c->send(chunk, true);
  }
  void on_message(std::string&&, bool) override {}
  void on_close(const std::string&) override {}
};
}  // namespace

TEST_CASE("a websocket peer that keeps sending but never reads is dropped after the write timeout", "[net][slow]") {
  net::Limits l;
  l.write_timeout_s = 1;
  l.ws_send_queue_bytes = 256u << 20;  // so the write deadline, not the queue bound, is what ends it
  Served s(l);
  s.router.add_ws("/flood", [](const net::Request&) { return net::Upgrade{std::make_shared<Flooder>(), {}}; });
  namespace beast = boost::beast;
  asio::io_context cioc;
  beast::websocket::stream<tcp::socket> ws(cioc);
  ws.next_layer().open(tcp::v4());
  ws.next_layer().set_option(asio::socket_base::receive_buffer_size(4096));
  ws.next_layer().connect(s.endpoint());
  ws.handshake("127.0.0.1", "/flood");
  // It talks (pings of its own) but never reads a byte of what it is sent.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (s.stats().dropped_not_reading.load() == 0 && std::chrono::steady_clock::now() < until) {
    boost::system::error_code ec;
    ws.ping({}, ec);
    if (ec) break;
    std::this_thread::sleep_for(20ms);  // the peer's pace, not a wait for the server
  }
  CHECK(s.stats().dropped_not_reading.load() == 1);
  CHECK(eventually([&] { return s.stats().open_connections.load() == 0; }));
}
