// vnh serve --db FILE [--listen 127.0.0.1:8080] [--policy FILE] [--fake-clock] …
#include <fmt/format.h>

#include <cstdlib>

#include "app/options.hpp"
#include "app/server.hpp"
#include "common/log.hpp"

namespace vnh::app {

int cmd_serve(const Args& args) {
  po::options_description desc("options");
  ServerOptions o;
  std::string policy, level = "info", fake_start;
  desc.add_options()("db", po::value(&o.db)->required(), "database file (created with reference data if missing)")(
      "listen", po::value(&o.listen)->default_value("127.0.0.1:8080"), "HOST:PORT (port 0 picks a free one)")(
      "policy", po::value(&policy), "policy TOML (default: the one in force, else data/policy.toml)")(
      "pbx-secret", po::value(&o.pbx_secret), "shared secret the PBX sends as X-PBX-Secret (or VNH_PBX_SECRET)")(
      "pbx-dial-url", po::value(&o.pbx_dial_url),
      "click-to-dial: http URL the server POSTs to with {agent} and {number} filled in (or VNH_PBX_DIAL_URL)")(
      "threads", po::value(&o.threads)->default_value(0), "I/O threads (0: one per core, at least 2)")(
      "max-connections", po::value(&o.max_connections)->default_value(0),
      "open connections in total (0: from the file limit, at most 8192)")(
      "max-connections-per-source", po::value(&o.max_connections_per_source)->default_value(1024),
      "open connections from one address")(
      "write-timeout", po::value(&o.write_timeout_s)->default_value(30),
      "seconds a peer may take to accept an answer before it is dropped")(
      "synchronous", po::value(&o.synchronous)->default_value("FULL"), "SQLite synchronous mode (FULL or NORMAL)")(
      "fake-clock", po::bool_switch(&o.fake_clock), "test seam: a clock that moves only by POST /api/v1/admin/clock")(
      "fake-clock-start", po::value(&fake_start), "ISO time the fake clock starts at")(
      "map-tiles", po::value(&o.map_tiles.urls)->composing(),
      "a tile layer for the command screen's map: URL template with {z} {x} {y} (and {s}); repeat for a labels "
      "layer. 天地图: https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk=KEY (docs/operations.md). None: points only")(
      "map-tile-subdomains", po::value(&o.map_tiles.subdomains), "what {s} stands for, one character each (天地图: 01234567)")(
      "map-attribution", po::value(&o.map_tiles.attribution), "the tile provider's credit, shown on the map")(
      "log-level", po::value(&level)->default_value("info"), "debug info warn error");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("serve", "--db FILE [--listen 127.0.0.1:8080] [--policy FILE]", args, desc, pos, vm)) {
    return *rc;
  }
  log::init(level);
  if (!policy.empty()) o.policy_file = policy;
  if (o.synchronous != "FULL" && o.synchronous != "NORMAL") return fail("serve", "--synchronous must be FULL or NORMAL", 2);
  if (o.max_connections_per_source == 0) return fail("serve", "--max-connections-per-source must be at least 1", 2);
  if (o.write_timeout_s < 1 || o.write_timeout_s > 3600) return fail("serve", "--write-timeout must be 1–3600 seconds", 2);
  if (!fake_start.empty()) {
    auto t = parse_time(fake_start);
    if (!t.ok()) return fail("serve", "--fake-clock-start: " + t.status().message(), 2);
    o.fake_clock_start = *t;
  }
  if (o.pbx_secret.empty()) {
    if (const char* s = std::getenv("VNH_PBX_SECRET"); s && *s) o.pbx_secret = s;
  }
  if (o.pbx_dial_url.empty()) {
    if (const char* s = std::getenv("VNH_PBX_DIAL_URL"); s && *s) o.pbx_dial_url = s;
  }
  bool generated = o.pbx_secret.empty();
  auto server = Server::create(o);
  if (!server.ok()) return fail("serve", server.status().message());
  Status st = (*server)->start();
  if (!st.ok()) return fail("serve", st.message());
  std::string host = o.listen.substr(0, o.listen.rfind(':'));
  fmt::print("vnh listening on http://{}:{}/\n", host.empty() ? "0.0.0.0" : host, (*server)->port());
  if (generated) fmt::print("pbx secret (X-PBX-Secret, generated for this run): {}\n", (*server)->pbx_secret());
  std::fflush(stdout);
  (*server)->run_until_signal();
  return 0;
}

}  // namespace vnh::app
