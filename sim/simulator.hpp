#pragma once
// The city-scale simulator behind `vnh simulate`: sets a generated city up in a running
// platform through its public API (admin import, firm tokens, an operator), connects one
// FirmAgent per firm over real websockets (some dropping their links now and then), creates
// tickets at a fixed rate and then in a burst at the highest rate the server sustains, waits
// for the work to drain, runs the consistency check, and reports throughput and latency
// percentiles (create, create→offer, offer→accept, accept→completed). Loopback only, bounded
// in time and count.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "sim/clients.hpp"

namespace vnh::sim {

struct SimulateOptions {
  Endpoint endpoint;
  std::string admin_user;
  std::string admin_password;
  std::string pbx_secret;    // when set, each ticket is preceded by a CTI call
  double rate = 15;          // tickets per second in the steady phase
  int duration_s = 60;
  int burst_s = 0;           // closed-loop phase at the highest sustainable rate
  int burst_workers = 64;
  int firms = 126;
  int elders = 3000;
  double dropping_firms = 0.1;  // share of firms that lose their link now and then
  double time_scale = 600;      // visits: an hour of service in six seconds
  bool visits = true;           // firms report check-in and check-out after accepting
  int drain_s = 60;
  // Canteen counters (SPEC §12): `counters` canteens with a counter user each, card holders
  // swiping at `meals_rate` meals a second across them during the steady phase (check, then
  // record); 0 counters: none.
  int counters = 10;
  double meals_rate = 5;
  // Care visits and recurring orders (SPEC §14): `care_workers` care users sharing one elder in
  // ten as care targets, recording visits at `care_rate` a second across them during the steady
  // phase (the due list, then the visit); `recurrences` recurring orders set up by the operator
  // before it, whose tickets the server's recurrence job makes and the firms serve. 0: none.
  int care_workers = 4;
  double care_rate = 1;
  int recurrences = 100;
  std::uint64_t seed = 1;
  bool quiet = false;
};

struct Percentiles {
  std::size_t n = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

struct PhaseReport {
  std::string name;
  double seconds = 0;
  std::int64_t created = 0;
  std::int64_t failed = 0;
  double created_per_s = 0;
  Percentiles create_ms;
  Percentiles create_to_offer_ms;  // of this phase's tickets
};

struct CounterReport {
  std::int64_t recorded = 0, subsidised = 0, refused = 0, failed = 0;
  double seconds = 0;
  Percentiles check_ms, record_ms, check_to_recorded_ms;
};

struct CareReport {
  std::int64_t visits = 0, visit_failed = 0, recurrences = 0, recurrence_failed = 0;
  double seconds = 0;
  Percentiles due_ms, visit_ms, recurrence_ms;
};

struct SimulateReport {
  std::vector<PhaseReport> phases;
  CounterReport counters;
  CareReport care;
  Percentiles create_to_offer_ms, offer_to_accept_ms, accept_to_completed_ms;
  std::int64_t offers = 0, accepted = 0, declined = 0, completed = 0, drops = 0, reconnects = 0;
  double offers_per_s = 0;
  bool consistent = false;
  std::string consistency_json;
  std::string to_table() const;
  std::string to_json() const;
};

Result<SimulateReport> run_simulation(const SimulateOptions& opts);

Percentiles percentiles(std::vector<double> v);

}  // namespace vnh::sim
