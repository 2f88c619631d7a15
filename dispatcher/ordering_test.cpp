#include <catch2/catch.hpp>

#include "dispatcher/ordering.hpp"

using namespace vnh;
using namespace vnh::dispatcher;
using domain::Urgency;

namespace {
Candidate cand(std::int64_t id, const char* code, std::int64_t dist, int used, int cap,
               std::optional<std::int64_t> total, TimeMs last_offer = 0) {
  Candidate c;
  c.firm_id = id;
  c.code = code;
  c.distance_m = dist;
  c.used_today = used;
  c.capacity = cap;
  c.last_total = total;
  c.last_offer_at = last_offer;
  return c;
}
std::vector<std::string> codes(const std::vector<Candidate>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.code);
  return out;
}
OrderingRules rules() {
  OrderingRules r;
  r.now = 10 * 60 * 60 * 1000;  // 10 h after the epoch
  return r;
}
}  // namespace

TEST_CASE("each score term is computed exactly", "[dispatch][ordering]") {
  auto r = rules();
  auto c = cand(1, "F1", 5000, 25, 100, 8500, r.now - 30 * 60 * 1000);
  CHECK(quality_term(c, r) == 850'000);   // T 85.00
  CHECK(load_term(c) == 750'000);         // 75 of 100 free
  CHECK(distance_term(c, r) == 500'000);  // 5 km: half
  CHECK(rotation_term(c, r) == 500'000);  // 30 of 60 minutes idle
  // 0.4·850000 + 0.3·750000 + 0.2·500000 + 0.1·500000 = 715000 (in ten-thousandths: ×10000)
  CHECK(score(c, r) == 715'000LL * 10000);
  SECTION("a new firm counts as 80 points, never-offered as fully rotated") {
    auto n = cand(2, "F2", 0, 0, 10, std::nullopt);
    CHECK(quality_term(n, r) == 800'000);
    CHECK(rotation_term(n, r) == 1'000'000);
    CHECK(distance_term(n, r) == 1'000'000);
    CHECK(load_term(n) == 1'000'000);
  }
}

TEST_CASE("normal tickets go to the best score, ties by distance then code", "[dispatch][ordering]") {
  auto r = rules();
  // Same quality, load and rotation: distance decides (F_B nearer).
  std::vector<Candidate> v = {cand(1, "F_A", 3000, 0, 10, 9000), cand(2, "F_B", 1000, 0, 10, 9000),
                              cand(3, "F_C", 3000, 0, 10, 9000)};
  order_candidates(v, Urgency::kNormal, r);
  CHECK(codes(v) == std::vector<std::string>{"F_B", "F_A", "F_C"});  // F_A and F_C tie exactly: code order
  SECTION("quality outweighs a small distance advantage") {
    // F_Q: quality 95 at 4 km: 0.4·950000 + 0.3·1e6 + 0.2·555555 + 0.1·1e6 = 891111
    // F_N: quality 70 at 1 km: 0.4·700000 + 0.3·1e6 + 0.2·833333 + 0.1·1e6 = 846666
    std::vector<Candidate> w = {cand(1, "F_N", 1000, 0, 10, 7000), cand(2, "F_Q", 4000, 0, 10, 9500)};
    order_candidates(w, Urgency::kNormal, r);
    CHECK(codes(w) == std::vector<std::string>{"F_Q", "F_N"});
  }
  SECTION("a busy firm ranks below an idle one") {
    std::vector<Candidate> w = {cand(1, "BUSY", 1000, 9, 10, 9000), cand(2, "IDLE", 1000, 0, 10, 9000)};
    order_candidates(w, Urgency::kNormal, r);
    CHECK(codes(w) == std::vector<std::string>{"IDLE", "BUSY"});
  }
  SECTION("a firm offered a minute ago yields to one that rested (rotation)") {
    std::vector<Candidate> w = {cand(1, "JUST", 1000, 0, 10, 9000, r.now - 60'000),
                                cand(2, "REST", 1000, 0, 10, 9000, r.now - 3'600'000)};
    order_candidates(w, Urgency::kNormal, r);
    CHECK(codes(w) == std::vector<std::string>{"REST", "JUST"});
  }
}

TEST_CASE("the continuity firm comes first, low scorers last", "[dispatch][ordering]") {
  auto r = rules();
  std::vector<Candidate> v = {cand(1, "BEST", 100, 0, 10, 9900), cand(2, "CONT", 9000, 5, 10, 7000),
                              cand(3, "LOW", 10, 0, 10, 5999), cand(4, "MID", 2000, 0, 10, 8000)};
  v[1].continuity = true;
  order_candidates(v, Urgency::kNormal, r);
  CHECK(codes(v) == std::vector<std::string>{"CONT", "BEST", "MID", "LOW"});
  SECTION("a continuity firm with a low score is still last") {
    std::vector<Candidate> w = {cand(1, "BEST", 100, 0, 10, 9900), cand(2, "CONTLOW", 50, 0, 10, 5000)};
    w[1].continuity = true;
    order_candidates(w, Urgency::kNormal, r);
    CHECK(codes(w) == std::vector<std::string>{"BEST", "CONTLOW"});
  }
  SECTION("exactly 60.00 is not low") {
    std::vector<Candidate> w = {cand(1, "SIXTY", 5000, 0, 10, 6000), cand(2, "BELOW", 10, 0, 10, 5999)};
    order_candidates(w, Urgency::kNormal, r);
    CHECK(codes(w) == std::vector<std::string>{"SIXTY", "BELOW"});
  }
}

TEST_CASE("emergencies go by distance alone", "[dispatch][ordering]") {
  auto r = rules();
  std::vector<Candidate> v = {cand(1, "FAR_BEST", 5000, 0, 10, 10000), cand(2, "NEAR_BUSY", 300, 9, 10, 6500),
                              cand(3, "TIE_B", 800, 0, 10, 8000), cand(4, "TIE_A", 800, 0, 10, 8000),
                              cand(5, "NEAR_LOW", 100, 0, 10, 4000)};
  v[0].continuity = true;  // ignored for emergencies
  order_candidates(v, Urgency::kEmergency, r);
  CHECK(codes(v) == std::vector<std::string>{"NEAR_BUSY", "TIE_A", "TIE_B", "FAR_BEST", "NEAR_LOW"});
}

TEST_CASE("the same inputs always give the same order", "[dispatch][ordering]") {
  auto r = rules();
  std::vector<Candidate> base;
  for (int i = 0; i < 50; ++i) {
    base.push_back(cand(i, ("F" + std::to_string(100 + i)).c_str(), (i * 7919) % 6000, i % 5, 10,
                        6000 + (i * 31) % 4000, r.now - (i % 7) * 600'000));
  }
  auto a = base, b = base;
  std::reverse(b.begin(), b.end());
  order_candidates(a, Urgency::kNormal, r);
  order_candidates(b, Urgency::kNormal, r);
  CHECK(codes(a) == codes(b));
}
