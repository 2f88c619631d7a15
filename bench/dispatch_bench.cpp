// Dispatch decision time: gathering the candidates of a ticket from the in-memory firm
// directory (coverage by area prefix and category, status, capacity, declines) and ordering
// them, with 126 and 10,000 firms. Issue 4's targets: p99 < 50 µs and < 1 ms.
#include <fmt/format.h>

#include <random>

#include "bench/bench_util.hpp"
#include "common/log.hpp"
#include "data/embedded.hpp"
#include "dispatcher/directory.hpp"
#include "dispatcher/ordering.hpp"
#include "importer/importer.hpp"
#include "sim/district.hpp"
#include "store/store.hpp"

using namespace vnh;

int main() {
  log::init("error");
  for (int firms : {126, 10000}) {
    bench::TempFolder dir;
    auto policy = *domain::load_policy(data::default_policy_text(), "policy");
    bench::BulkLoader bulk((dir.path / "d.db").string(), policy);
    auto& st = bulk.store;
    auto sink = bulk.sink();
    sim::DistrictSpec spec;
    spec.elders = 2000;
    spec.firms = firms;
    sim::DistrictGenerator gen(spec, std::string(data::areas_csv()), std::string(data::catalog_csv()));
    if (!gen.emit_population(sink, nullptr)) return 1;
    dispatcher::FirmDirectory dir_;
    if (!dir_.load(st->db(), *policy.tz, 1'800'000'000'000).ok()) return 1;
    std::mt19937_64 rng(7);
    const char* cats[] = {"life_care", "medical_care", "emotional_comfort", "emergency_aid"};
    dispatcher::OrderingRules rules;
    rules.now = 1'800'000'000'000;
    std::vector<double> us;
    std::size_t total_candidates = 0;
    const auto& elders = gen.elders();
    for (int i = 0; i < 20000; ++i) {
      const auto& e = elders[rng() % elders.size()];
      auto cat = *domain::parse_category(cats[rng() % 4]);
      auto urgency = i % 10 == 0 ? domain::Urgency::kEmergency : domain::Urgency::kNormal;
      auto t0 = std::chrono::steady_clock::now();
      auto cands = dir_.candidates(e.community, cat, {e.lat, e.lon}, {}, rules.now);
      dispatcher::order_candidates(cands, urgency, rules);
      us.push_back(bench::seconds_since(t0) * 1e6);
      total_candidates += cands.size();
    }
    auto p = sim::percentiles(us);
    bench::figure("dispatch", fmt::format("decision_p50_us_{}_firms", firms), p.p50, "µs");
    bench::figure("dispatch", fmt::format("decision_p99_us_{}_firms", firms), p.p99, "µs");
    bench::figure("dispatch", fmt::format("mean_candidates_{}_firms", firms),
                  static_cast<double>(total_candidates) / 20000.0, "firms");
  }
  return 0;
}
