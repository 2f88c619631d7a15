// vnh simulate --url URL --rate R --duration S --firms F … | --in-process …
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "app/options.hpp"
#include "app/server.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "hotline/auth.hpp"
#include "sim/simulator.hpp"

namespace vnh::app {
namespace fs = std::filesystem;

int cmd_simulate(const Args& args) {
  po::options_description desc("options");
  sim::SimulateOptions o;
  std::string url, admin = "admin", json_out, dir_arg;
  bool in_process = false, password_stdin = false;
  desc.add_options()("url", po::value(&url), "a running platform on loopback, e.g. http://127.0.0.1:8080")(
      "admin", po::value(&admin)->default_value("admin"), "admin user (imports the simulated city)")(
      "password-stdin", po::bool_switch(&password_stdin), "read the admin password from stdin")(
      "in-process", po::bool_switch(&in_process), "start a platform in this process with a temporary database")(
      "dir", po::value(&dir_arg), "with --in-process: folder for the database (default: temporary, removed)")(
      "rate", po::value(&o.rate)->default_value(15), "tickets per second in the steady phase")(
      "duration", po::value(&o.duration_s)->default_value(60), "seconds of the steady phase")(
      "burst", po::value(&o.burst_s)->default_value(0), "seconds of a burst at the highest sustainable rate")(
      "burst-clients", po::value(&o.burst_workers)->default_value(64), "concurrent clients in the burst")(
      "firms", po::value(&o.firms)->default_value(126), "simulated partner firms (each a real websocket)")(
      "elders", po::value(&o.elders)->default_value(3000), "simulated elders")(
      "dropping-firms", po::value(&o.dropping_firms)->default_value(0.1), "share of firms that lose their link now and then")(
      "pbx-secret", po::value(&o.pbx_secret), "also send a CTI call for every fifth ticket")(
      "seed", po::value(&o.seed), "random seed (default: from the clock)")(
      "json", po::value(&json_out), "write the report as JSON to this file")(
      "drain", po::value(&o.drain_s)->default_value(60), "seconds to wait for work to finish at the end")(
      "counters", po::value(&o.counters)->default_value(10), "canteen counters recording meals (0: none)")(
      "meals-rate", po::value(&o.meals_rate)->default_value(5), "meals per second across the counters")(
      "care-workers", po::value(&o.care_workers)->default_value(4), "care workers visiting one elder in ten (0: none)")(
      "care-rate", po::value(&o.care_rate)->default_value(1), "care visits per second across the care workers")(
      "recurrences", po::value(&o.recurrences)->default_value(100), "recurring orders the operator sets up first");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("simulate", "(--url URL | --in-process) --rate R --duration S --firms F", args, desc, pos, vm)) {
    return *rc;
  }
  if (!vm.count("seed")) o.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  if (o.rate <= 0 || o.rate > 5000) return fail("simulate", "--rate must be in (0, 5000]", 2);
  if (o.duration_s < 1 || o.duration_s > 3600) return fail("simulate", "--duration must be 1..3600 s", 2);
  if (o.burst_s < 0 || o.burst_s > 600) return fail("simulate", "--burst must be 0..600 s", 2);
  if (o.firms < 1 || o.firms > 2000) return fail("simulate", "--firms must be 1..2000", 2);
  if (o.elders < 10 || o.elders > 200000) return fail("simulate", "--elders must be 10..200000", 2);
  if (in_process == !url.empty()) return fail("simulate", "give either --url or --in-process", 2);
  if (o.counters < 0 || o.counters > 500) return fail("simulate", "--counters must be 0..500", 2);
  if (o.meals_rate < 0 || o.meals_rate > 2000) return fail("simulate", "--meals-rate must be 0..2000", 2);
  if (o.care_workers < 0 || o.care_workers > 200) return fail("simulate", "--care-workers must be 0..200", 2);
  if (o.care_rate < 0 || o.care_rate > 500) return fail("simulate", "--care-rate must be 0..500", 2);
  if (o.recurrences < 0 || o.recurrences > 20000) return fail("simulate", "--recurrences must be 0..20000", 2);

  std::unique_ptr<Server> server;
  fs::path dir;
  bool remove_dir = false;
  if (in_process) {
    log::init("warn");
    dir = dir_arg.empty() ? fs::temp_directory_path() / fmt::format("vnh-sim-{}", random_token().substr(0, 8)) : fs::path(dir_arg);
    remove_dir = dir_arg.empty();
    fs::create_directories(dir);
    o.admin_user = "sim-admin";
    o.admin_password = random_token().substr(0, 16);
    {
      auto st = open_for_cli((dir / "vnh.db").string(), true);
      if (!st.ok()) return fail("simulate", st.status().message());
      auto policy = resolve_policy((*st)->db(), std::nullopt, current_month(SystemClock().now_ms()));
      auto hash = hotline::hash_new_password(o.admin_password, *policy);
      Status s = store::run_transaction((*st)->db(), [&](store::WriteTx& tx) {
        return hotline::insert_new_user(tx.db(), {o.admin_user, "", domain::Role::kAdmin, *hash, std::nullopt}, SystemClock().now_ms(),
                                        "simulate")
            .status();
      });
      if (!s.ok()) return fail("simulate", s.message());
    }
    ServerOptions so;
    so.db = (dir / "vnh.db").string();
    so.listen = "127.0.0.1:0";
    so.pbx_secret = o.pbx_secret.empty() ? "" : o.pbx_secret;
    auto s = Server::create(so);
    if (!s.ok()) return fail("simulate", s.status().message());
    server = std::move(*s);
    Status st = server->start();
    if (!st.ok()) return fail("simulate", st.message());
    if (o.pbx_secret.empty()) o.pbx_secret = server->pbx_secret();
    o.endpoint = {"127.0.0.1", std::to_string(server->port())};
  } else {
    auto ep = sim::parse_url(url);
    if (!ep.ok()) return fail("simulate", ep.status().message(), 2);
    if (ep->host != "127.0.0.1" && ep->host != "localhost" && ep->host != "::1") {
      return fail("simulate", "load runs stay on loopback: use 127.0.0.1", 2);
    }
    o.endpoint = *ep;
    o.admin_user = admin;
    if (!password_stdin) return fail("simulate", "give the admin password with --password-stdin", 2);
    o.admin_password = read_stdin_line();
  }
  auto rep = sim::run_simulation(o);
  if (server) server->stop();
  if (remove_dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  if (!rep.ok()) return fail("simulate", rep.status().message());
  fmt::print("{}", rep->to_table());
  if (!json_out.empty()) std::ofstream(json_out) << rep->to_json() << "\n";
  return rep->consistent ? 0 : 1;
}

}  // namespace vnh::app
