#include <catch2/catch.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/embedded.hpp"
#include "importer/importer.hpp"
#include "settlement/settlement.hpp"
#include "store/query.hpp"
#include "store/store.hpp"
#include "tests/support/world.hpp"

using namespace vnh;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) { return vnh::testing::slurp(p); }
std::string sample(const std::string& name) { return testing::TestStore::month_sample(name); }

// The worked month's store, settled into a folder of its own.
struct World : testing::TestStore {
  World() : TestStore("s.db") { import_time = *parse_time("2026-11-23T10:00:00+08:00"); }
  void load_sample() { load_month_sample(); }
  Result<settlement::RunResult> settle(const std::string& month, const std::string& by = "cli:test") {
    settlement::RunOptions o{*parse_year_month(month), dir.file("out"), by, 1'800'000'000'000};
    return settlement::run(store->db(), [&](const auto& w) { return store::run_transaction(store->db(), w); }, policy, o);
  }
};

}  // namespace

TEST_CASE("the worked month settles to the expected CSV, byte for byte", "[settlement][e2e]") {
  World w;
  w.load_sample();
  auto r = w.settle("2026-10");
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  std::string expected = sample("expected-settlement-2026-10.csv");
  CHECK(r->csv == expected);
  CHECK(read(fs::path(w.dir.file("out")) / "settlement-2026-10.csv") == expected);
  std::string expected_meals = sample("expected-meals-2026-10.csv");
  CHECK(r->meals_csv == expected_meals);
  CHECK(read(fs::path(w.dir.file("out")) / "meals-2026-10.csv") == expected_meals);
  std::string html = read(fs::path(w.dir.file("out")) / "settlement-2026-10.html");
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("F008") != std::string::npos);
  CHECK(html.find("exit review") != std::string::npos);
  // Signable: the office, the status, the policy, the total in figures and in 大写, page numbers.
  CHECK(html.find("兰州市城关区民政局") != std::string::npos);
  CHECK(html.find("草稿 DRAFT") != std::string::npos);
  CHECK(html.find("制表 cli:test") != std::string::npos);
  CHECK(html.find("自 2020-01 起施行") != std::string::npos);
  CHECK(html.find("counter(page)") != std::string::npos);
  CHECK(html.find("（单位盖章 seal）") != std::string::npos);
  // Firms 81450+54800+46430+49945+35920+55430+93800 = 417775 fen, canteens 100500+91900+90000 =
  // 282400: 700175 fen to transfer.
  CHECK(html.find("¥7,001.75") != std::string::npos);
  CHECK(html.find("柒仟零壹元柒角伍分") != std::string::npos);
  CHECK(html.find(">测试加盟企业1</text>") != std::string::npos);  // the chart names the firms
  SECTION("each firm gets a statement listing every ticket with its reason") {
    std::string f001 = read(fs::path(w.dir.file("out")) / "statements-2026-10/statement-2026-10-F001.csv");
    auto lines = std::count(f001.begin(), f001.end(), '\n');
    CHECK(lines == 1 + 62);  // header + every ticket of M
    CHECK(f001.find("excluded:") != std::string::npos);
    CHECK(f001.find(",full_funding,") != std::string::npos);
  }
  SECTION("each canteen gets a statement listing every meal with its rule") {
    std::string k001 = read(fs::path(w.dir.file("out")) / "statements-2026-10/meals-statement-2026-10-K001.csv");
    CHECK(std::count(k001.begin(), k001.end(), '\n') == 1 + 99);  // header + every meal of M
    CHECK(k001.find(",lunch_A_D_full,1500,0") != std::string::npos);
    CHECK(k001.find(",second_meal,0,1500") != std::string::npos);
    CHECK(html.find("助餐点结算 Canteens") != std::string::npos);
    CHECK(html.find("Canteens listed for inspection") != std::string::npos);  // override shares of 16–32%
  }
  SECTION("a month that has not ended, or has nothing in it, is not settled") {
    settlement::RunOptions o{{2026, 12}, "", "cli:test", *parse_time("2026-12-20T10:00:00+08:00")};
    auto open = settlement::run(w.store->db(), [&](const auto& wr) { return store::run_transaction(w.store->db(), wr); },
                                w.policy, o);
    REQUIRE_FALSE(open.ok());
    CHECK(open.status().reason() == "month_not_ended");
    auto empty = w.settle("2025-03");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.status().reason() == "empty_month");
  }
  SECTION("a run whose inputs changed is stale until re-run") {
    auto& db = w.store->db();
    auto f = settlement::freshness(db, w.policy, {2026, 10});
    REQUIRE(f.ok());
    CHECK_FALSE(f->stale);
    REQUIRE(db.exec("UPDATE meals SET government_fen = 0, elder_fen = price_fen WHERE id = (SELECT min(id) FROM meals "
                    "WHERE government_fen > 0 AND served_at >= 1790784000000)").ok());
    auto g = settlement::freshness(db, w.policy, {2026, 10});
    REQUIRE(g.ok());
    CHECK(g->stale);
    CHECK(g->changed == std::vector<std::string>{"canteens"});
    REQUIRE(w.settle("2026-10").ok());
    CHECK_FALSE(settlement::freshness(db, w.policy, {2026, 10})->stale);
  }
  SECTION("a second run gives byte-identical files") {
    std::string html1 = html;
    auto again = w.settle("2026-10");
    REQUIRE(again.ok());
    CHECK(read(fs::path(w.dir.file("out")) / "settlement-2026-10.csv") == expected);
    CHECK(read(fs::path(w.dir.file("out")) / "settlement-2026-10.html") == html1);
  }
  SECTION("approval locks the month; the runner cannot approve their own run") {
    auto& db = w.store->db();
    CHECK(store::run_transaction(db, [&](store::WriteTx& tx) {
            return settlement::approve(tx, {2026, 10}, "cli:test", 1, w.policy);
          }).code() == Code::kPermissionDenied);
    std::string draft = *settlement::run_document(db, {2026, 10}, "html").value();
    CHECK(draft.find("草稿 DRAFT") != std::string::npos);
    CHECK(draft.find("已审批") == std::string::npos);
    REQUIRE(store::run_transaction(db, [&](store::WriteTx& tx) {
              return settlement::approve(tx, {2026, 10}, "finance2", 1'800'000'360'000, w.policy);
            }).ok());
    std::string approved = *settlement::run_document(db, {2026, 10}, "html").value();
    CHECK(approved != draft);
    CHECK(approved.find("已审批 APPROVED · 审批人 finance2") != std::string::npos);
    CHECK(approved.find("草稿 DRAFT") == std::string::npos);
    CHECK(approved.size() > draft.size() - 200);  // only the status and signature blocks changed
    CHECK(approved.find("兰州市城关区民政局") != std::string::npos);
    auto rerun = w.settle("2026-10");
    REQUIRE_FALSE(rerun.ok());
    CHECK(rerun.status().reason() == "locked");
    auto info = settlement::get_run(db, {2026, 10});
    CHECK(to_string((*info)->status) == "approved");
    CHECK((*info)->approved_by == "finance2");
    SECTION("a correction of the approved month is an adjustment paid in a later month") {
      settlement::Adjustment a{0, "F001", 1200, "2026-09", "补录漏报的一单服务", "finance1"};
      auto in_oct = store::run_transaction(db, [&](store::WriteTx& tx) {
        return settlement::add_adjustment(tx, {2026, 10}, a, 1).status();
      });
      CHECK(in_oct.reason() == "locked");
      a.corrects_month = "2026-11";
      CHECK(store::run_transaction(db, [&](store::WriteTx& tx) {
              return settlement::add_adjustment(tx, {2026, 12}, a, 1).status();
            }).reason() == "not_approved");
      a.corrects_month = "2026-10";
      std::string insp = "firm_code,month,enterprise_building,service_norms,staff_management\r\n";
      for (int f = 1; f <= 8; ++f) insp += fmt::format("F00{},2026-11,80,80,80\r\n", f);
      w.load(importer::Kind::kInspections, insp);
      REQUIRE(store::run_transaction(db, [&](store::WriteTx& tx) {
                return settlement::add_adjustment(tx, {2026, 11}, a, 1).status();
              }).ok());
      auto nov = w.settle("2026-11");
      INFO(nov.status().to_string());
      REQUIRE(nov.ok());
      CHECK(nov->settlement.adjustments_total == 1200);
      CHECK(nov->html.find("补录漏报的一单服务") != std::string::npos);
      // The approved month's files are untouched.
      auto oct_csv = settlement::run_document(db, {2026, 10}, "csv");
      CHECK(**oct_csv == expected);
    }
  }
}

TEST_CASE("missing inspector scores stop the run, name every firm, and write nothing", "[settlement]") {
  World w;
  w.load_sample();
  REQUIRE(w.store->db().exec("DELETE FROM inspections WHERE firm_id IN (SELECT id FROM firms WHERE code IN ('F003','F005'))").ok());
  auto r = w.settle("2026-10");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("F003") != std::string::npos);
  CHECK(r.status().message().find("F005") != std::string::npos);
  CHECK_FALSE(fs::exists(fs::path(w.dir.file("out")) / "settlement-2026-10.csv"));
  CHECK(fs::is_empty(w.dir.file("out")));
  CHECK(*store::query_int(w.store->db().prepare("SELECT count(*) FROM settlement_runs")) == 0);
}

TEST_CASE("the league scores every firm as the settlement does, and ranks one without inspector scores by Q alone", "[settlement][league]") {
  World w;
  w.load_sample();
  const auto month = *parse_year_month("2026-10");
  auto full = settlement::compute(w.store->db(), w.policy, month);
  REQUIRE(full.ok());
  auto league = settlement::league(w.store->db(), w.policy, month);
  REQUIRE(league.ok());
  REQUIRE(league->size() == full->lines.size());
  for (const auto& l : full->lines) {
    auto it = std::find_if(league->begin(), league->end(), [&](const auto& x) { return x.code == l.code; });
    REQUIRE(it != league->end());
    INFO(l.code);
    CHECK(it->score_q == l.score_q);
    CHECK(it->score_total == l.score_total);
    CHECK(it->exit_review == l.exit_review);
    CHECK(it->tickets_completed == l.tickets_completed);
    CHECK(it->quality.on_time == l.quality.on_time);
    CHECK(it->quality.verified == l.quality.verified);
    CHECK(it->complaints_substantiated == l.complaints_substantiated);
  }
  // Without F003's inspection the settlement stops; the league still answers, F003 without T.
  REQUIRE(w.store->db().exec("DELETE FROM inspections WHERE firm_id = (SELECT id FROM firms WHERE code = 'F003')").ok());
  auto partial = settlement::league(w.store->db(), w.policy, month);
  REQUIRE(partial.ok());
  auto f003 = std::find_if(partial->begin(), partial->end(), [](const auto& x) { return x.code == "F003"; });
  REQUIRE(f003 != partial->end());
  CHECK_FALSE(f003->score_total.has_value());
  CHECK(f003->score_q > 0);
}

TEST_CASE("check-outs at 23:59 and 00:00 Asia/Shanghai, written in UTC, fall in their local months", "[settlement]") {
  World w;
  w.load(importer::Kind::kAreas, "code,name,parent_code,level\r\n620102,城关区,,district\r\n"
                                 "620102001,街道,620102,street\r\n620102001001,社区,620102001,community\r\n");
  w.load(importer::Kind::kCatalog, "code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal\r\n"
                                   "S1,助洁,life_care,次,2000,2500,30,0\r\n");
  w.load(importer::Kind::kElders, "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n"
                                  "620102195810100019,甲,13900000001,620102001001,36.06,103.83,A,2026-01-05\r\n");
  w.load(importer::Kind::kFirms, "code,name,base_lat,base_lon,daily_capacity,status\r\nF1,一,36.06,103.83,10,active\r\n");
  w.load(importer::Kind::kStaff, "firm_code,code,name,phone,skills\r\nF1,W1,工,13800000001,life_care\r\n");
  // 2026-09-30T23:59 local = 15:59Z (September); 2026-10-01T00:00 local = 2026-09-30T16:00Z (October);
  // 2026-10-31T23:59 local = 15:59Z (October); 2026-11-01T00:00 local = 2026-10-31T16:00Z (November).
  std::string head = "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,"
                     "checkin_lat,checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
  auto row = [](const char* no, const char* in, const char* out) {
    return fmt::format("{},620102195810100019,S1,F1,normal,{},{},{},{},36.06,103.83,{},36.06,103.83,W1,completed\r\n",
                       no, in, out, in, in, out);
  };
  w.load(importer::Kind::kTickets, head + row("T1", "2026-09-30T15:20:00Z", "2026-09-30T15:59:00Z") +
                                       row("T2", "2026-09-30T15:21:00Z", "2026-09-30T16:00:00Z") +
                                       row("T3", "2026-10-31T15:20:00Z", "2026-10-31T15:59:00Z") +
                                       row("T4", "2026-10-31T15:21:00Z", "2026-10-31T16:00:00Z"));
  w.load(importer::Kind::kInspections, "firm_code,month,enterprise_building,service_norms,staff_management\r\n"
                                       "F1,2026-10,90,90,90\r\n");
  auto r = w.settle("2026-10");
  REQUIRE(r.ok());
  REQUIRE(r->settlement.lines.size() == 1);
  CHECK(r->settlement.lines[0].tickets_completed == 2);  // T2 and T3
  CHECK(r->settlement.lines[0].subsidy == 4000);
}

TEST_CASE("disputed tickets and tickets with uncleared visit exceptions are not eligible", "[settlement]") {
  World w;
  w.load_sample();
  auto r = w.settle("2026-10");
  REQUIRE(r.ok());
  std::int64_t completed = 0, eligible = 0;
  for (const auto& l : r->settlement.lines) {
    completed += l.tickets_completed;
    eligible += l.tickets_eligible;
  }
  // 458 tickets of October (the expected CSV's tickets_completed: 62+64+65+74+56+76+61+0).
  CHECK(completed == 458);
  CHECK(eligible == completed - *store::query_int(w.store->db().prepare(
                                    "SELECT count(*) FROM tickets WHERE checkout_at >= 1790784000000 AND "
                                    "checkout_at < 1793462400000 AND (state = 'disputed' OR held_exceptions > 0)")));
  SECTION("clearing an exception makes its ticket eligible on the next run") {
    auto& db = w.store->db();
    auto before = r->settlement.tickets_eligible;
    REQUIRE(db.exec("UPDATE visit_exceptions SET status='cleared', reason_code='no_signal_indoors', note='n', "
                    "resolved_by='sup', resolved_at=1 WHERE ticket_id = (SELECT id FROM tickets WHERE ticket_no='T000001')").ok());
    REQUIRE(db.exec("UPDATE tickets SET held_exceptions = 0 WHERE ticket_no = 'T000001'").ok());
    auto again = w.settle("2026-10");
    REQUIRE(again.ok());
    CHECK(again->settlement.tickets_eligible == before + 1);
  }
}

namespace {

// A month built by hand, without a database: one firm, one B-category elder (5000 fen of
// monthly credit), two items.
struct HandMonth {
  domain::Policy policy = *domain::load_policy(data::default_policy_text(), "policy.toml");
  settlement::MonthInputs in;
  std::vector<store::SettledTicket> tickets;
  HandMonth() {
    store::Firm f;
    f.id = 7;
    f.code = "F007";
    f.name = "七号家政";
    in.firms.push_back(f);
    in.elders.push_back({3, domain::ElderCategory::kB, {1950, 1, 1}, "620102001001", std::nullopt, 0});
    store::ServiceItem bath;
    bath.id = 1;
    bath.code = "LC010";
    bath.standard_price_fen = 4800;
    bath.category = domain::Category::kLifeCare;
    store::ServiceItem bp = bath;
    bp.id = 2;
    bp.code = "MC001";
    bp.standard_price_fen = 800;
    bp.category = domain::Category::kMedicalCare;
    in.items = {bath, bp};
    in.areas.push_back({"620102001", "酒泉路街道", std::string("620102"), domain::AreaLevel::kStreet});
    in.inspections.push_back({7, "2026-10", 9000, 9000, 9000, "insp", 0});
    in.ratings.push_back({7, 9, 2});  // mean 4.5 → s = 0.875
    in.exception_types[104] = "distance";
    // Four tickets checked out in October, in check-out order: the bath, the blood pressure
    // (its credit partly used up), one disputed, one held by a visit exception.
    const TimeMs day = *parse_time("2026-10-05T10:00:00+08:00");
    auto ticket = [&](std::int64_t id, std::int64_t item, int minutes, bool disputed, int held, bool on_time) {
      store::SettledTicket t{id, fmt::format("T{}", id), 7, disputed, day + minutes * 60'000, day,
                             on_time ? day - 1 : day + 1, day + 3'600'000, held, 3, item};
      tickets.push_back(t);
    };
    ticket(101, 1, 60, false, 0, true);
    ticket(102, 2, 120, false, 0, true);
    ticket(103, 2, 180, true, 0, true);
    ticket(104, 1, 240, false, 1, false);
  }
};

struct RecordingStatements final : settlement::StatementSink {
  std::vector<settlement::StatementLine> lines;
  void line(const std::string&, const settlement::StatementLine& l) override { lines.push_back(l); }
};

}  // namespace

TEST_CASE("the settlement is a pure function of the month's inputs", "[settlement][pure]") {
  HandMonth m;
  RecordingStatements sink;
  auto s = settlement::compute(m.in, m.tickets, m.policy, {2026, 10}, &sink);
  INFO(s.status().to_string());
  REQUIRE(s.ok());
  REQUIRE(s->lines.size() == 1);
  const auto& l = s->lines[0];
  CHECK(l.code == "F007");
  CHECK(l.tickets_completed == 4);
  CHECK(l.tickets_eligible == 2);
  CHECK(l.subsidy == 5000);  // 4800 + the 200 left of the credit
  CHECK(l.copay == 600);
  // Q = 100 × (0.5·0.875 + 0.3·0.75 + 0.2·0.75) = 81.25; T = 0.2·90 + 0.25·90 + 0.35·81.25 + 0.2·90 = 86.9375 → 86.94
  CHECK(l.score_q == 8125);
  CHECK(l.score_total == 8694);
  CHECK(l.coefficient == 95);
  CHECK(l.payout == 4750);
  CHECK_FALSE(l.exit_review);
  REQUIRE(s->by_street.size() == 1);
  CHECK(s->by_street[0].label == "酒泉路街道");
  CHECK(s->by_street[0].tickets == 4);
  REQUIRE(sink.lines.size() == 4);
  CHECK(sink.lines[0].reason == "grant");
  CHECK(sink.lines[0].programmes == "B_credit");
  CHECK(sink.lines[1].reason == "grant_partial");
  CHECK(sink.lines[1].programmes == "B_credit");
  CHECK(sink.lines[1].subsidy == 200);
  CHECK(sink.lines[2].reason == "excluded:disputed");
  CHECK(sink.lines[3].reason == "excluded:visit_exception:distance");
  CHECK(sink.lines[0].age == 76);
  SECTION("the grant lapses at the month's end: the same tickets a month later draw on a new one") {
    auto nov = m.tickets;
    for (auto& t : nov) {
      for (TimeMs* at : {&t.checkout_at, &t.checkin_at, &t.window_start, &t.window_end}) *at += 31LL * 86'400'000;
    }
    m.in.inspections[0].month = "2026-11";
    auto next = settlement::compute(m.in, nov, m.policy, {2026, 11});
    REQUIRE(next.ok());
    CHECK(next->lines[0].subsidy == 5000);
  }
  SECTION("a death mid-month excludes only what was checked out after the day of death") {
    // The bath (10:00 + 1 h, 5 Oct) on the day of death is paid; the blood pressure later that
    // day too; a ticket on the 6th is not.
    m.in.elders[0].died_on = Date{2026, 10, 5};
    auto later = m.tickets[0];
    later.id = 105;
    later.ticket_no = "T105";
    later.checkout_at += 86'400'000;
    m.tickets.push_back(later);
    RecordingStatements dsink;
    auto d = settlement::compute(m.in, m.tickets, m.policy, {2026, 10}, &dsink);
    REQUIRE(d.ok());
    CHECK(d->lines[0].tickets_completed == 5);
    CHECK(d->lines[0].tickets_eligible == 2);
    CHECK(d->lines[0].subsidy == 5000);
    REQUIRE(dsink.lines.size() == 5);
    CHECK(dsink.lines[4].reason == "excluded:deceased");
    CHECK_FALSE(dsink.lines[4].eligible);
  }
  SECTION("a minutes programme after the credit pays the rest (the policy's programme order)") {
    auto p = domain::load_policy(R"(
[[programmes]]
code = "B_credit"
name = "重点优抚服务额度"
monthly = 5000
categories = ["B"]
[[programmes]]
code = "SY_75"
name = "高龄老人免费服务"
unit = "minutes"
monthly = 180
min_age = 75
)",
                                 "two.toml");
    REQUIRE(p.ok());
    m.in.items[0].duration_min = 60;  // the bath: 4800 fen, 60 min
    m.in.items[1].duration_min = 20;  // blood pressure: 800 fen, 20 min
    RecordingStatements psink;
    auto two = settlement::compute(m.in, m.tickets, *p, {2026, 10}, &psink);
    REQUIRE(two.ok());
    // Bath 4800 from the credit; blood pressure 200 from the credit, 600 = 15 minutes.
    CHECK(two->lines[0].subsidy == 5600);
    CHECK(two->lines[0].copay == 0);
    CHECK(psink.lines[1].programmes == "B_credit+SY_75");
    CHECK(psink.lines[1].reason == "grant");
  }
  SECTION("the same inputs give the same result") {
    auto again = settlement::compute(m.in, m.tickets, m.policy, {2026, 10});
    REQUIRE(again.ok());
    CHECK(settlement::render_csv(*again) == settlement::render_csv(*s));
  }
  SECTION("a substantiated complaint of the month is deducted") {
    m.in.complaints.push_back({7, 1, 1});
    auto d = settlement::compute(m.in, m.tickets, m.policy, {2026, 10});
    REQUIRE(d.ok());
    CHECK(d->lines[0].deductions == 5000);
    CHECK(d->lines[0].payout == 0);  // max(0, 4750 − 5000)
  }
  SECTION("missing scores for a firm with eligible tickets stop the computation") {
    m.in.inspections.clear();
    auto d = settlement::compute(m.in, m.tickets, m.policy, {2026, 10});
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().reason() == "missing_inspections");
    CHECK(d.status().message().find("F007 七号家政") != std::string::npos);
  }
  SECTION("a ticket naming an item the inputs do not hold is refused") {
    m.tickets[1].item_id = 99;
    auto d = settlement::compute(m.in, m.tickets, m.policy, {2026, 10});
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == Code::kInternal);
    CHECK(d.status().message().find("T102") != std::string::npos);
  }
}

namespace {
// A canteen's month by hand (SPEC §12): meals as the counter recorded them.
struct CanteenMonth {
  domain::Policy policy = *domain::load_policy("[meals]\noperating_subsidy_fen = 200\n", "p.toml");
  settlement::MonthInputs in;
  std::vector<store::SettledMeal> meals;
  CanteenMonth() {
    store::Canteen k;
    k.id = 1;
    k.code = "K1";
    k.name = "畅家巷助餐点";
    in.canteens.push_back(k);
    in.elders.push_back({5, domain::ElderCategory::kC, {1950, 1, 1}, "620102001001", std::nullopt, 0});
  }
  store::MealCard card(bool active = true) {
    store::MealCard c;
    c.id = 9;
    c.elder_id = 5;
    c.issued_on = {2026, 1, 10};
    c.status = active ? domain::CardStatus::kActive : domain::CardStatus::kLost;
    if (!active) c.status_at = *parse_time("2026-10-15T00:00:00+08:00");
    return c;
  }
  // A lunch on `day` of October (900 fen from the government, the elder 600).
  void lunch(int day, domain::IdentifiedBy by, std::optional<store::MealCard> c, std::optional<Date> died = std::nullopt) {
    store::SettledMeal m;
    m.meal.id = static_cast<std::int64_t>(meals.size() + 1);
    m.meal.canteen_id = 1;
    m.meal.elder_id = 5;
    m.meal.day = {2026, 10, day};
    m.meal.served_at = *parse_time(fmt::format("2026-10-{:02}T11:30:00+08:00", day));
    m.meal.price_fen = 1500;
    m.meal.government_fen = 900;
    m.meal.elder_fen = 600;
    m.meal.rule = "lunch_65_74";
    m.meal.takes_place = true;
    m.meal.identified_by = by;
    m.card = c;
    m.died_on = died;
    meals.push_back(m);
  }
  Result<settlement::Settlement> settle() {
    return settlement::compute(
        in,
        [&](const std::function<Status(const store::SettledMeal&)>& fn) -> Status {
          for (const auto& m : meals) VNH_RETURN_IF_ERROR(fn(m));
          return Status::Ok();
        },
        [](const std::function<Status(const store::SettledTicket&)>&) { return Status::Ok(); }, policy, {2026, 10});
  }
};
}  // namespace

TEST_CASE("canteen lines: exclusions, the operating subsidy, the override share at the threshold", "[settlement][meals]") {
  CanteenMonth m;
  for (int d = 1; d <= 19; ++d) m.lunch(d, domain::IdentifiedBy::kCard, m.card());
  m.lunch(20, domain::IdentifiedBy::kIdNumber, std::nullopt);  // 1 override in 20: exactly 5 %
  auto s = m.settle();
  REQUIRE(s.ok());
  REQUIRE(s->canteens.size() == 1);
  const auto& l = s->canteens[0];
  CHECK(l.meals_served == 20);
  CHECK(l.meals_subsidised == 20);
  CHECK(l.government == 20 * 900);
  CHECK(l.elder == 20 * 600);
  CHECK(l.operating_subsidy == 20 * 200);
  CHECK(l.payout == 20 * 900 + 20 * 200);
  CHECK(l.override_meals == 1);
  CHECK_FALSE(l.inspection);  // 5 % is not above the share
  SECTION("one more override passes the share: listed for inspection") {
    m.lunch(21, domain::IdentifiedBy::kIdNumber, std::nullopt);
    auto t = m.settle();
    CHECK(t->canteens[0].inspection);  // 2 of 21
  }
  SECTION("a deceased elder's meals after the day of death, and meals on a card no longer active, are excluded") {
    CanteenMonth d;
    d.lunch(10, domain::IdentifiedBy::kCard, d.card(), Date{2026, 10, 10});        // the day of death: kept
    d.lunch(11, domain::IdentifiedBy::kCard, d.card(), Date{2026, 10, 10});        // after it: excluded
    d.lunch(14, domain::IdentifiedBy::kCard, d.card(false));                       // card lost on the 15th: kept
    d.lunch(16, domain::IdentifiedBy::kCard, d.card(false));                       // after: excluded
    d.lunch(17, domain::IdentifiedBy::kIdNumber, std::nullopt);                    // typed ID: no card to check
    d.lunch(18, domain::IdentifiedBy::kOrder, std::nullopt);                       // a delivered order
    auto t = d.settle();
    REQUIRE(t.ok());
    const auto& k = t->canteens[0];
    CHECK(k.meals_served == 6);
    CHECK(k.excluded_meals == 2);
    CHECK(k.meals_subsidised == 4);
    CHECK(k.government == 4 * 900);
    CHECK(k.payout == 4 * 900 + 4 * 200);
    CHECK(t->meals_excluded == 2);
  }
}
