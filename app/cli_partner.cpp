// vnh partner --url URL --token TOKEN — the reference partner-firm client: connects to the
// partner websocket, prints offers, accepts them by rule or interactively, assigns a worker
// and reports check-in and check-out at the elder's home.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include <iostream>
#include <thread>

#include "app/options.hpp"
#include "common/text.hpp"
#include "sim/firm_agent.hpp"

namespace vnh::app {

int cmd_partner(const Args& args) {
  po::options_description desc("options");
  std::string url, token, accept = "always", staff;
  double time_scale = 1;
  bool no_visits = false;
  desc.add_options()("url", po::value(&url)->required(), "platform URL, e.g. http://127.0.0.1:8080")(
      "token", po::value(&token)->required(), "the firm's partner token (vnh firm token)")(
      "accept", po::value(&accept)->default_value("always"), "always | never | ask | a probability like 0.8")(
      "staff", po::value(&staff), "worker codes to send, comma-separated (needed for visits)")(
      "time-scale", po::value(&time_scale)->default_value(1), "simulated seconds per real second for travel and visits")(
      "no-visits", po::bool_switch(&no_visits), "only answer offers; do not report visits");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("partner", "--url URL --token TOKEN [--accept always|never|ask|P] [--staff W1,W2]", args,
                              desc, pos, vm)) {
    return *rc;
  }
  auto ep = sim::parse_url(url);
  if (!ep.ok()) return fail("partner", ep.status().message(), 2);
  if (time_scale <= 0) return fail("partner", "--time-scale must be positive", 2);
  sim::AgentBehaviour b;
  b.time_scale = time_scale;
  b.far_checkin_prob = 0;
  b.short_visit_prob = 0;
  b.think_min_s = 0.2;
  b.think_max_s = 0.5;
  std::vector<std::string> workers;
  for (const auto& s : split(staff, ',')) {
    if (!trim(s).empty()) workers.emplace_back(trim(s));
  }
  b.visits = !no_visits && !workers.empty();
  if (!no_visits && workers.empty()) fmt::print("no --staff given: offers are answered, visits are not reported\n");
  bool interactive = accept == "ask";
  if (accept == "always") {
    b.accept_prob = 1;
  } else if (accept == "never") {
    b.accept_prob = 0;
  } else if (!interactive) {
    auto p = parse_double(accept);
    if (!p.ok() || *p < 0 || *p > 1) return fail("partner", "--accept must be always, never, ask or a probability", 2);
    b.accept_prob = *p;
  }
  b.seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());

  boost::asio::io_context ioc;
  auto agent = std::make_shared<sim::FirmAgent>(ioc, *ep, token, "", workers, b);
  agent->log = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  if (interactive) {
    // Offers are asked about one at a time on stdin (a thread, so the socket keeps going).
    agent->ask = [](const vnh::v1::TicketOffer& o, std::function<void(bool)> decide) {
      std::thread([o, decide] {
        fmt::print("accept {} ({} {})? [y/N] ", o.ticket_no(), o.item().name(), o.urgency());
        std::fflush(stdout);
        std::string line;
        std::getline(std::cin, line);
        decide(!line.empty() && (line[0] == 'y' || line[0] == 'Y'));
      }).detach();
    };
  }
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    agent->stop();
    ioc.stop();
  });
  agent->start();
  ioc.run();
  const auto& s = agent->stats();
  fmt::print("offers {}, accepted {}, declined {}, completed {}\n", s.offers.load(), s.accepted.load(),
             s.declined.load(), s.completed.load());
  return 0;
}

}  // namespace vnh::app
