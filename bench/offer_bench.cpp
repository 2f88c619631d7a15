// Ticket created over HTTP → offer frame at the firm, with 126 and 1,000 connected firms, and
// sustained offers per second, beside a loopback websocket echo rate measured in the same run
// (the ceiling of any request/response over websockets on this machine). Issue 4's target:
// create → offer p99 < 10 ms.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include <atomic>
#include <thread>

#include "app/server.hpp"
#include "bench/bench_util.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "hotline/auth.hpp"
#include "store/store.hpp"

using namespace vnh;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// A minimal websocket echo server and N synchronous ping-pong clients for `seconds`.
double echo_rate(int clients, double seconds) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  unsigned short port = acc.local_endpoint().port();
  std::atomic<bool> stop{false};
  std::vector<std::thread> servers;
  std::thread accept_thread([&] {
    for (int i = 0; i < clients; ++i) {
      tcp::socket s(ioc);
      acc.accept(s);
      servers.emplace_back([s = std::move(s), &stop]() mutable {
        try {
          websocket::stream<tcp::socket> ws(std::move(s));
          ws.accept();
          ws.binary(true);
          beast::flat_buffer b;
          while (!stop) {
            ws.read(b);
            ws.write(b.data());
            b.consume(b.size());
          }
        } catch (...) {
        }
      });
    }
  });
  std::atomic<long> n{0};
  std::vector<std::thread> cs;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < clients; ++i) {
    cs.emplace_back([&] {
      try {
        asio::io_context c;
        websocket::stream<tcp::socket> ws(c);
        ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
        ws.handshake("127.0.0.1", "/");
        ws.binary(true);
        std::string msg(120, 'x');
        beast::flat_buffer b;
        while (bench::seconds_since(t0) < seconds) {
          ws.write(asio::buffer(msg));
          ws.read(b);
          b.consume(b.size());
          ++n;
        }
        stop = true;
        ws.close(websocket::close_code::normal);
      } catch (...) {
      }
    });
  }
  for (auto& t : cs) t.join();
  double rate = static_cast<double>(n) / bench::seconds_since(t0);
  accept_thread.join();
  for (auto& t : servers) t.join();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 20;
  log::init("error");
  crypto_init();
  bench::figure("offers", "loopback_ws_echo_per_s_64_clients", echo_rate(64, 5), "msgs/s");
  for (int firms : {126, 1000}) {
    bench::TempFolder dir;
    std::string admin_pw = "bench-admin-password";
    {
      store::StoreOptions so;
      so.path = (dir.path / "vnh.db").string();
      so.start_writer = false;
      auto st = std::move(*store::Store::open(so));
      domain::Policy policy;
      auto hash = *hotline::hash_new_password(admin_pw, policy);
      (void)store::run_transaction(st->db(), [&](store::WriteTx& tx) {
        return hotline::insert_new_user(tx.db(), {"admin", "", domain::Role::kAdmin, hash, std::nullopt}, 0, "bench").status();
      });
    }
    app::ServerOptions so;
    so.db = (dir.path / "vnh.db").string();
    so.listen = "127.0.0.1:0";
    auto server = std::move(*app::Server::create(so));
    if (!server->start().ok()) return 1;
    sim::SimulateOptions o;
    o.endpoint = {"127.0.0.1", std::to_string(server->port())};
    o.admin_user = "admin";
    o.admin_password = admin_pw;
    o.rate = 50;
    o.duration_s = seconds;
    o.burst_s = seconds / 2;
    o.firms = firms;
    o.elders = 3000;
    o.dropping_firms = 0;
    o.visits = false;
    o.drain_s = 30;
    o.quiet = true;
    o.seed = static_cast<std::uint64_t>(firms);
    auto rep = sim::run_simulation(o);
    if (!rep.ok()) {
      std::fprintf(stderr, "%s\n", rep.status().message().c_str());
      return 1;
    }
    const auto& steady = rep->phases.front();
    bench::figure("offers", fmt::format("create_to_offer_p50_ms_{}_firms", firms), steady.create_to_offer_ms.p50, "ms");
    bench::figure("offers", fmt::format("create_to_offer_p99_ms_{}_firms", firms), steady.create_to_offer_ms.p99, "ms");
    bench::figure("offers", fmt::format("burst_create_to_offer_p99_ms_{}_firms", firms),
                  rep->phases.back().create_to_offer_ms.p99, "ms");
    bench::figure("offers", fmt::format("offer_to_accept_p50_ms_{}_firms", firms), rep->offer_to_accept_ms.p50, "ms");
    const auto& burst = rep->phases.back();
    bench::figure("offers", fmt::format("burst_tickets_per_s_{}_firms", firms), burst.created_per_s, "tickets/s");
    bench::figure("offers", fmt::format("offers_per_s_{}_firms", firms), rep->offers_per_s, "offers/s");
    bench::figure("offers", fmt::format("consistent_{}_firms", firms), rep->consistent ? 1 : 0, "bool");
    server->stop();
  }
  return 0;
}
