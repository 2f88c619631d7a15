#pragma once
// Closed-loop HTTP load for the benchmarks: N keep-alive connections, each with one request
// outstanding at a time (a client waits for its answer before it sends the next), driven by
// one event-loop thread as wrk and h2load drive theirs. The load generator shares the two
// cores with the server it measures; one thread answering whatever sockets are ready costs
// far less than a blocked thread per client woken for every reply, so more of the machine is
// left to the server, as it would be with clients on other machines.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/clients.hpp"

namespace vnh::bench {

struct LoadResult {
  long ok = 0;      // answered with the expected status
  long failed = 0;  // any other status, or a broken connection
  double seconds = 0;
  std::vector<double> latency_ms;  // request written → whole answer read, every request
};

// Runs `connections` clients for `seconds`. `make_request(k)` gives the k-th request's bytes
// (k counts up across all connections); an answer with `expect_status` counts as ok, and the
// first few others are printed to stderr.
inline LoadResult run_closed_loop(const sim::Endpoint& ep, int connections, double seconds,
                                  const std::function<std::string(long)>& make_request, int expect_status) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  using tcp = asio::ip::tcp;
  using clock = std::chrono::steady_clock;

  asio::io_context ioc(1);
  LoadResult out;
  long next = 0;
  const auto t0 = clock::now();
  const auto deadline = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));

  struct Conn {
    explicit Conn(asio::io_context& ioc) : socket(ioc) {}
    tcp::socket socket;
    boost::beast::flat_buffer buffer{64 * 1024};
    std::optional<http::response_parser<http::string_body>> parser;
    std::string request;
    clock::time_point sent;
  };
  std::vector<std::unique_ptr<Conn>> conns;
  tcp::resolver resolver(ioc);
  const auto where = resolver.resolve(ep.host, ep.port);
  for (int i = 0; i < connections; ++i) {
    auto c = std::make_unique<Conn>(ioc);
    asio::connect(c->socket, where);
    c->socket.set_option(tcp::no_delay(true));
    conns.push_back(std::move(c));
  }

  std::function<void(Conn&)> send;
  auto fail = [&](const std::string& why) {
    if (++out.failed <= 3) std::fprintf(stderr, "load: %s\n", why.c_str());
  };
  send = [&](Conn& conn) {
    if (clock::now() >= deadline) return;  // this client is done
    Conn* c = &conn;                        // owned by `conns`, which outlives the loop
    c->request = make_request(next++);
    c->parser.emplace();
    c->parser->body_limit(64 * 1024 * 1024);
    c->sent = clock::now();
    asio::async_write(c->socket, asio::buffer(c->request), [&, c](boost::system::error_code ec, std::size_t) {
      if (ec) return fail("write: " + ec.message());
      http::async_read(c->socket, c->buffer, *c->parser, [&, c](boost::system::error_code ec2, std::size_t) {
        if (ec2) return fail("read: " + ec2.message());
        out.latency_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - c->sent).count());
        const auto& res = c->parser->get();
        if (res.result_int() == static_cast<unsigned>(expect_status)) {
          ++out.ok;
        } else {
          fail(std::to_string(res.result_int()) + " " + res.body().substr(0, 200));
        }
        if (!res.keep_alive()) return fail("the server closed the connection");
        send(*c);
      });
    });
  };
  for (auto& c : conns) send(*c);
  ioc.run();
  out.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return out;
}

// An HTTP/1.1 POST with a JSON body, as the console sends it.
inline std::string post_json(const sim::Endpoint& ep, const std::string& target, const std::string& token,
                             const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string r = "POST " + target + " HTTP/1.1\r\nHost: " + ep.host + "\r\nAuthorization: Bearer " + token +
                  "\r\nContent-Type: application/json\r\n";
  for (const auto& [k, v] : headers) r += k + ": " + v + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

}  // namespace vnh::bench
