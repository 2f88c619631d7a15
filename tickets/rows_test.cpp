// A column holding a value the code does not know (a file edited by hand, or written by a newer
// version) is refused when read, naming the column, instead of being read as some default.
#include <catch2/catch.hpp>

#include "store/reference.hpp"
#include "store/tickets.hpp"
#include "tests/support/world.hpp"

using namespace vnh;

TEST_CASE("row readers refuse a value they do not know", "[store][rows]") {
  testing::World w;
  auto& db = w.store->db();
  store::TicketRow t;
  t.ticket_no = "T20261123000001";
  t.elder_id = 1;
  t.item_id = 1;
  t.window_start = 1'790'000'000'000;
  t.window_end = t.window_start + 3'600'000;
  t.created_at = t.updated_at = t.window_start;
  t.created_by = "op";
  REQUIRE(store::insert_ticket(db, t).ok());
  REQUIRE(store::find_ticket(db, t.ticket_no).ok());
  REQUIRE(db.exec("PRAGMA ignore_check_constraints = ON").ok());
  SECTION("a ticket's state") {
    REQUIRE(db.exec("UPDATE tickets SET state = 'lost' WHERE id = " + std::to_string(t.id)).ok());
    auto row = store::find_ticket(db, t.ticket_no);
    REQUIRE_FALSE(row.ok());
    CHECK(row.status().code() == Code::kInternal);
    CHECK(row.status().message().find("tickets.state") != std::string::npos);
    CHECK(row.status().message().find("'lost'") != std::string::npos);
  }
  SECTION("a ticket's dispute") {
    REQUIRE(db.exec("UPDATE tickets SET dispute = 'maybe' WHERE id = " + std::to_string(t.id)).ok());
    CHECK(store::get_ticket(db, t.id).status().message().find("tickets.dispute") != std::string::npos);
  }
  SECTION("a firm's status") {
    REQUIRE(db.exec("UPDATE firms SET status = 'paused' WHERE code = 'F_MID'").ok());
    auto firms = store::list_firms(db);
    REQUIRE_FALSE(firms.ok());
    CHECK(firms.status().message().find("firms.status") != std::string::npos);
  }
  SECTION("a worker's skills") {
    REQUIRE(db.exec("UPDATE staff SET skills = 'life_care|cooking' WHERE code = 'N1'").ok());
    auto firm = store::find_firm(db, "F_NEAR");
    REQUIRE(firm.ok());
    auto staff = store::find_staff(db, (*firm)->id, "N1");
    REQUIRE_FALSE(staff.ok());
    CHECK(staff.status().message().find("cooking") != std::string::npos);
  }
}
