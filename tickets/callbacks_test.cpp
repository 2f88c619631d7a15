#include <catch2/catch.hpp>

#include <set>

#include "tickets/callbacks.hpp"

using namespace vnh;
using namespace vnh::tickets;

namespace {
std::vector<SampleCandidate> day(int firms, int per_firm, int risky_every) {
  std::vector<SampleCandidate> out;
  std::int64_t id = 1;
  for (int f = 1; f <= firms; ++f) {
    for (int i = 0; i < per_firm; ++i, ++id) {
      SampleCandidate c{id, "T" + std::to_string(id), f, {}};
      if (risky_every && i % risky_every == 0) c.risks = {"first_visit"};
      out.push_back(c);
    }
  }
  return out;
}
std::map<std::int64_t, int> per_firm(const std::vector<Sampled>& s, bool random_only) {
  std::map<std::int64_t, int> m;
  for (const auto& x : s) {
    if (!random_only || x.reasons == "random") ++m[x.firm_id];
  }
  return m;
}
}  // namespace

TEST_CASE("every risky ticket plus 10% of the others, rounded up, per firm", "[callbacks]") {
  // 3 firms × 25 tickets, every 5th risky: 5 risky + 20 others → 5 + ceil(2.0) = 7 per firm.
  auto s = draw_sample(day(3, 25, 5), "2026-11-23", 100, 1);
  auto all = per_firm(s, false);
  auto random = per_firm(s, true);
  for (std::int64_t f = 1; f <= 3; ++f) {
    CHECK(all[f] == 7);
    CHECK(random[f] == 2);
  }
  SECTION("21 others round up to 3") {
    auto s2 = draw_sample(day(1, 21, 0), "2026-11-23", 100, 1);
    CHECK(s2.size() == 3);
  }
  SECTION("a firm with one ticket gets it called back") {
    auto s3 = draw_sample(day(2, 1, 0), "2026-11-23", 100, 1);
    CHECK(s3.size() == 2);
  }
  SECTION("a firm with no tickets is absent") {
    auto s4 = draw_sample({}, "2026-11-23", 100, 1);
    CHECK(s4.empty());
  }
}

TEST_CASE("the random part is reproducible from the date and changes with it", "[callbacks]") {
  auto d = day(2, 200, 0);
  auto a = draw_sample(d, "2026-11-23", 100, 1);
  auto b = draw_sample(d, "2026-11-23", 100, 1);
  auto c = draw_sample(d, "2026-11-24", 100, 1);
  auto ids = [](const std::vector<Sampled>& v) {
    std::set<std::int64_t> s;
    for (const auto& x : v) s.insert(x.ticket_id);
    return s;
  };
  CHECK(ids(a) == ids(b));
  CHECK(ids(a) != ids(c));
  CHECK(a.size() == 40);
}

TEST_CASE("risk reasons are listed on the sampled ticket", "[callbacks]") {
  std::vector<SampleCandidate> d = {{1, "T1", 1, {"visit_exception", "new_worker"}}, {2, "T2", 1, {}}};
  auto s = draw_sample(d, "2026-11-23", 100, 1);
  REQUIRE(s.size() == 2);
  CHECK(s[0].reasons == "visit_exception,new_worker");
  CHECK(s[1].reasons == "random");
}
