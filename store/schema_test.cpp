#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "common/identity.hpp"
#include "store/elders.hpp"

#include "store/audit.hpp"
#include "store/consistency.hpp"
#include "store/migrations.hpp"
#include "store/outbox.hpp"
#include "store/query.hpp"
#include "store/store.hpp"
#include "store/tickets.hpp"
#include "tests/support/query_plan.hpp"
#include "tests/support/temp_dir.hpp"

using namespace vnh;
using namespace vnh::store;

namespace {
// An entry as schema versions before 14 wrote it: SHA-256, no key.
void append_unkeyed_audit(Database& db, TimeMs at, const AuditEntry& e) {
  auto last = db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
  std::int64_t id = 1;
  std::string prev(32, '\0');
  if (*last->step()) {
    id = last->int64(0) + 1;
    prev = last->blob(1);
  }
  last->reset();
  auto st = db.prepare(
      "INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  REQUIRE(st->bind_all(id, at, e.actor, e.action, e.subject, e.detail, Blob{prev},
                       Blob{legacy_audit_hash(prev, id, at, e)})
              .run()
              .ok());
}
std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
  StoreOptions o;
  o.path = dir.file("s.db");
  o.start_writer = false;
  o.open.synchronous = "OFF";
  auto s = Store::open(o);
  REQUIRE(s.ok());
  return std::move(*s);
}

// The data key the files of these tests are opened with.
const FieldCrypto& test_keys() {
  static const FieldCrypto keys = FieldCrypto::from_master_key({7});
  return keys;
}
OpenOptions keyed() {
  OpenOptions o;
  o.keys = &test_keys();
  return o;
}

// A new file with the first `version` migrations only, as an older vnh left it.
std::unique_ptr<Database> file_at_version(const std::string& path, int version) {
  auto db = std::move(*Database::open(path, keyed()));
  int applied = 0;
  for (const auto& [name, sql] : migrations::files()) {
    if (++applied > version) break;
    REQUIRE(db->exec(sql).ok());
  }
  REQUIRE(db->exec(fmt::format("PRAGMA user_version={}", version)).ok());
  return db;
}
}  // namespace

TEST_CASE("migrations bring a new file to the latest version and are idempotent", "[schema]") {
  testing::TempDir dir;
  {
    auto s = open_store(dir);
    auto v = s->db().prepare("PRAGMA user_version");
    REQUIRE(*v->step());
    CHECK(v->int64(0) == latest_schema_version());
  }
  auto again = open_store(dir);  // reopening applies nothing new
  CHECK(again->db().exec("SELECT count(*) FROM tickets").ok());
}

TEST_CASE("a database newer than the binary is refused", "[schema]") {
  testing::TempDir dir;
  { auto s = open_store(dir); REQUIRE(s->db().exec("PRAGMA user_version=999").ok()); }
  StoreOptions o;
  o.path = dir.file("s.db");
  auto s = Store::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("newer") != std::string::npos);
}

TEST_CASE("an existing database without its key is refused", "[schema]") {
  testing::TempDir dir;
  { auto s = open_store(dir); }
  std::filesystem::remove(dir.file("s.db.key"));
  StoreOptions o;
  o.path = dir.file("s.db");
  auto s = Store::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("key") != std::string::npos);
}

TEST_CASE("the schema enforces integrity itself", "[schema]") {
  testing::TempDir dir;
  auto s = open_store(dir);
  auto& db = s->db();
  SECTION("standard price above 80% of market is refused") {
    CHECK(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                  " VALUES ('X','x','life_care','次',801,1000,30,0)").code() == Code::kFailedPrecondition);
    CHECK(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                  " VALUES ('X','x','life_care','次',800,1000,30,0)").ok());
  }
  SECTION("an area's level matches its code length and its parent is a prefix") {
    CHECK(db.exec("INSERT INTO areas VALUES ('620102','城关区',NULL,'district')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620102001','x',NULL,'community')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620103001','x','620102','street')").ok());
    CHECK_FALSE(db.exec("INSERT INTO areas VALUES ('620102001','x','999999','street')").ok());
    CHECK(db.exec("INSERT INTO areas VALUES ('620102001','x','620102','street')").ok());
  }
  SECTION("ticket events are append-only") {
    REQUIRE(db.exec("INSERT INTO areas VALUES ('620102','城关区',NULL,'district'),"
                    "('620102001','街道','620102','street'),('620102001001','社区','620102001','community')").ok());
    REQUIRE(db.exec("INSERT INTO catalog_items(code,name,category,unit,standard_price_fen,market_price_fen,duration_min,meal)"
                    " VALUES ('X','x','life_care','次',800,1000,30,0)").ok());
    REQUIRE(db.exec("INSERT INTO elders(id_number_enc,id_number_bidx,id_number_masked,id_tail,name,"
                    "community_code,home_enc,category,registered_on,created_at,updated_at) VALUES "
                    "(x'00',x'01','m','0019','n','620102001001',x'02','A','2026-01-01',0,0)").ok());
    REQUIRE(db.exec("INSERT INTO tickets(ticket_no,elder_id,item_id,category,channel,urgency,window_start,window_end,"
                    "state,created_at,created_by,updated_at) VALUES ('T1',1,1,'life_care','hotline','normal',0,1,"
                    "'created',0,'op',0)").ok());
    REQUIRE(db.exec("INSERT INTO ticket_events(ticket_id,at,type,actor) VALUES (1,0,'created','op')").ok());
    CHECK_FALSE(db.exec("UPDATE ticket_events SET type='x'").ok());
    CHECK_FALSE(db.exec("DELETE FROM ticket_events").ok());
    SECTION("a completed ticket must have its check-in and check-out") {
      CHECK_FALSE(db.exec("UPDATE tickets SET state='completed', firm_id=NULL").ok());
    }
    SECTION("an offered ticket names a firm and an expiry") {
      CHECK_FALSE(db.exec("UPDATE tickets SET state='offered'").ok());
    }
  }
}

TEST_CASE("version 3 rebuilds the audit log of a version-2 file with its chain and triggers intact", "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    // A file as vnh left it before version 3: the first two migrations only, with audit rows.
    auto db = file_at_version(path, 2);
    for (int i = 0; i < 5; ++i) append_unkeyed_audit(*db, 1000 + i, {"op", "ticket.create", "ticket:T" + std::to_string(i), "{}"});
  }
  auto db = std::move(*Database::open(path, keyed()));
  REQUIRE(migrate(*db).ok());
  auto v = db->prepare("PRAGMA user_version");
  REQUIRE(*v->step());
  CHECK(v->int64(0) == latest_schema_version());
  auto report = verify_audit(*db);
  REQUIRE(report.ok());
  CHECK(report->intact);
  CHECK(report->entries == 6);  // the five, re-chained under the key by version 14, and its record
  CHECK_FALSE(db->exec("UPDATE audit_log SET actor='x'").ok());
  CHECK_FALSE(db->exec("DELETE FROM audit_log").ok());
  // The next entry chains onto the migrated head.
  REQUIRE(append_audit(*db, 2000, {"op", "logout", "user:op", "{}"}).ok());
  report = verify_audit(*db);
  CHECK(report->intact);
  CHECK(report->entries == 7);
}

TEST_CASE("version 14 re-chains an intact unkeyed audit log under the key and records it; a broken one stops the "
          "migration and the file stays as it was", "[schema][audit]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  std::string unkeyed_head;
  {
    auto db = file_at_version(path, 13);
    for (int i = 0; i < 4; ++i) append_unkeyed_audit(*db, 1000 + i, {"op", "elder.view_whole", "elder:E1", "{}"});
    auto h = db->prepare("SELECT hex(hash) FROM audit_log WHERE id = 4");
    REQUIRE(*h->step());
    unkeyed_head = h->text(0);
  }
  SECTION("intact: every hash is now the keyed one, the old head is named") {
    auto db = std::move(*Database::open(path, keyed()));
    REQUIRE(migrate(*db).ok());
    auto report = verify_audit(*db);
    REQUIRE(report.ok());
    CHECK(report->intact);
    CHECK(report->entries == 5);
    auto last = list_audit(*db, "audit_log", 1);
    REQUIRE(last->size() == 1);
    CHECK((*last)[0].entry.action == "audit.rechain");
    std::string lower = unkeyed_head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK((*last)[0].entry.detail == fmt::format(R"({{"entries":"4","unkeyed_head":"{}"}})", lower));
    auto old = db->prepare("SELECT count(*) FROM audit_log WHERE hex(hash) = ?");
    old->bind(1, unkeyed_head);
    REQUIRE(*old->step());
    CHECK(old->int64(0) == 0);
    CHECK_FALSE(db->exec("UPDATE audit_log SET actor='x'").ok());  // the trigger is back
  }
  SECTION("broken: the migration stops, saying where, and changes nothing") {
    {
      auto db = std::move(*Database::open(path, keyed()));
      REQUIRE(db->exec("DROP TRIGGER audit_log_append_only_u; UPDATE audit_log SET actor='mallory' WHERE id=2").ok());
    }
    auto db = std::move(*Database::open(path, keyed()));
    auto migrated = migrate(*db);
    REQUIRE_FALSE(migrated.ok());
    CHECK(migrated.message().find("already broken") != std::string::npos);
    CHECK(migrated.message().find("entry 2 was changed") != std::string::npos);
    auto v = db->prepare("PRAGMA user_version");
    REQUIRE(*v->step());
    CHECK(v->int64(0) == 13);
  }
  SECTION("without the data key nothing is migrated") {
    auto db = std::move(*Database::open(path, {}));
    auto migrated = migrate(*db);
    REQUIRE_FALSE(migrated.ok());
    CHECK(migrated.message().find("data key") != std::string::npos);
  }
}

namespace {
bool file_contains(const std::string& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("version 13 takes birth dates and homes out of the clear: the card reads the same, the file holds neither",
          "[schema][personal]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  const std::string idn = "62010219480312001X";  // born 1948-03-12; 17th digit 1: male
  const double lat = 36.0612345, lon = 103.8345678;
  {
    auto db = file_at_version(path, 12);
    REQUIRE(db->exec("INSERT INTO areas(code,name,parent_code,level) VALUES ('620102','城关区',NULL,'district'),"
                     "('620102001','张掖路街道','620102','street'),('620102001001','中山林社区','620102001','community')")
                .ok());
    auto st = db->prepare(
        "INSERT INTO elders(id_number_enc,id_number_bidx,id_number_masked,id_tail,name,birth_date,sex,community_code,"
        "lat,lon,category,registered_on,created_at,updated_at) VALUES (?,?,?,?,'张林',?,?,'620102001001',?,?,'C',"
        "'2026-01-01',0,0)");
    REQUIRE(st->bind_all(Blob{test_keys().encrypt("elders.id_number", idn)},
                         Blob{test_keys().blind_index("id_number", idn)}, mask_id_number(idn), idn.substr(14),
                         "1948-03-12", "M", lat, lon)
                .run()
                .ok());
    REQUIRE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    REQUIRE(file_contains(path, "1948-03-12"));  // what a copy of the file gave before
  }
  auto db = std::move(*Database::open(path, keyed()));
  REQUIRE(migrate(*db).ok());
  auto e = get_elder(*db, 1);
  REQUIRE(e.ok());
  REQUIRE(e->has_value());
  CHECK((*e)->birth_date == "1948-03-12");
  CHECK((*e)->sex == "M");
  CHECK((*e)->lat == lat);  // exactly: the position reads back bit for bit
  CHECK((*e)->lon == lon);
  std::string names;
  {
    auto cols = db->prepare("SELECT group_concat(name) FROM pragma_table_info('elders')");
    REQUIRE(*cols->step());
    names = cols->text(0);
  }
  for (const char* gone : {"birth_date", "sex", "lat", "lon"}) {
    CHECK(("," + names + ",").find(fmt::format(",{},", gone)) == std::string::npos);
  }
  db.reset();
  // Neither the file nor its log holds the birth date or the position's bytes any more.
  std::string lat_bytes(reinterpret_cast<const char*>(&lat), sizeof lat);
  for (const std::string& f : {path, path + "-wal"}) {
    CHECK_FALSE(file_contains(f, "1948-03-12"));
    CHECK_FALSE(file_contains(f, "19480312"));
    CHECK_FALSE(file_contains(f, lat_bytes));
  }
  SECTION("a copy opened without the key cannot read them") {
    auto plain = std::move(*Database::open(path, {}));
    auto st = plain->prepare("SELECT vnh_birth_date(id_number_enc) FROM elders");
    CHECK_FALSE(st.ok());
  }
  SECTION("under another key the read fails instead of giving a made-up value") {
    static const FieldCrypto other = FieldCrypto::from_master_key({9});
    OpenOptions o;
    o.keys = &other;
    auto wrong = std::move(*Database::open(path, o));
    auto r = get_elder(*wrong, 1);
    CHECK_FALSE(r.ok());
  }
}

namespace {
// How many temporary B-trees SQLite builds to run one statement.
int ephemeral_tables(Database& db, const std::string& sql) {
  auto st = db.prepare("EXPLAIN " + sql);
  REQUIRE(st.ok());
  int n = 0;
  while (*st->step()) n += st->text(1) == "OpenEphemeral";
  return n;
}
}  // namespace

TEST_CASE("version 5 restates the ticket and outbox checks: same rows kept and refused, no temporary B-tree per insert",
          "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  const std::string insert_ticket =
      "INSERT INTO tickets(ticket_no,elder_id,item_id,category,channel,urgency,window_start,window_end,state,"
      "created_at,created_by,updated_at,firm_id,offer_expires_at) VALUES (?,1,1,?,'hotline','normal',0,1,?,0,'op',0,?,?)";
  const std::string insert_outbox =
      "INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,?,?,1,x'00',0)";
  {
    // A file as vnh left it at version 4, with a ticket and an outbox row.
    auto db = file_at_version(path, 4);
    CHECK(ephemeral_tables(*db, insert_ticket) == 6);  // what version 5 removes
    CHECK(ephemeral_tables(*db, insert_outbox) == 1);
    REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
    REQUIRE(db->exec("INSERT INTO tickets(ticket_no,elder_id,item_id,category,channel,urgency,window_start,window_end,"
                     "state,created_at,created_by,updated_at,firm_id,offer_expires_at) VALUES ('T1',1,1,'medical_care',"
                     "'device','emergency',0,1,'offered',0,'op',0,1,5)").ok());
    REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,1,'offer',1,x'00',0)").ok());
  }
  auto db = std::move(*Database::open(path, keyed()));
  REQUIRE(migrate(*db).ok());
  auto v = db->prepare("PRAGMA user_version");
  REQUIRE(*v->step());
  CHECK(v->int64(0) == latest_schema_version());
  {
    auto row = db->prepare("SELECT ticket_no, state, category FROM tickets");
    REQUIRE(*row->step());
    CHECK(row->text(0) == "T1");
    CHECK(row->text(1) == "offered");
    CHECK(row->text(2) == "medical_care");
  }

  CHECK(ephemeral_tables(*db, insert_ticket) == 0);
  CHECK(ephemeral_tables(*db, insert_outbox) == 0);
  REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
  auto ticket = [&](const char* no, const char* category, const char* state, std::optional<std::int64_t> firm) {
    auto st = db->prepare(insert_ticket);
    REQUIRE(st.ok());
    st->bind(1, no).bind(2, category).bind(3, state).bind(4, firm);
    st->bind(5, firm ? std::optional<std::int64_t>(5) : std::nullopt);
    return st->run();
  };
  // Accepted as before.
  CHECK(ticket("T2", "emergency_aid", "created", std::nullopt).ok());
  CHECK(ticket("T3", "life_care", "unassigned", std::nullopt).ok());
  CHECK(ticket("T4", "emotional_comfort", "offered", 7).ok());
  // Refused as before, with SQLite's CHECK failure.
  CHECK(ticket("T5", "gardening", "created", std::nullopt).code() == Code::kFailedPrecondition);
  CHECK(ticket("T6", "life_care", "lost", std::nullopt).code() == Code::kFailedPrecondition);
  CHECK(ticket("T7", "life_care", "accepted", std::nullopt).code() == Code::kFailedPrecondition);  // no firm
  CHECK_FALSE(db->exec("UPDATE tickets SET channel='fax' WHERE ticket_no='T2'").ok());
  CHECK_FALSE(db->exec("UPDATE tickets SET dispute='maybe' WHERE ticket_no='T2'").ok());
  CHECK_FALSE(db->exec("UPDATE tickets SET state='in_service', firm_id=7 WHERE ticket_no='T2'").ok());  // no check-in
  auto outbox = [&](std::int64_t seq, const char* kind) {
    auto st = db->prepare(insert_outbox);
    REQUIRE(st.ok());
    st->bind(1, seq).bind(2, kind);
    return st->run();
  };
  CHECK(outbox(2, "withdrawn").ok());
  CHECK(outbox(3, "nudge").code() == Code::kFailedPrecondition);
  // Another connection reads the new definitions.
  auto other = std::move(*Database::open(path, keyed()));
  CHECK(ephemeral_tables(*other, insert_ticket) == 0);
}

TEST_CASE("version 6 stores the outbox in the order frames were written: rows kept, constraints as before, "
          "replays read a firm's frames in seq order",
          "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  const std::string all_rows =
      "SELECT firm_id, seq, kind, ticket_id, hex(frame), created_at, sends, last_sent_at, escalated_at FROM outbox "
      "ORDER BY firm_id, seq";
  auto dump = [&](Database& db) {
    std::vector<std::string> rows;
    auto st = db.prepare(all_rows);
    REQUIRE(st.ok());
    while (*st->step()) {
      std::string r;
      for (int c = 0; c < 9; ++c) r += (st->is_null(c) ? std::string("NULL") : st->text(c)) + "|";
      rows.push_back(r);
    }
    return rows;
  };
  std::vector<std::string> before;
  {
    // A version-5 file: two firms' frames written interleaved, some sent, acked or escalated.
    auto db = file_at_version(path, 5);
    REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
    REQUIRE(db->exec("INSERT INTO firms(id,code,name,base_lat,base_lon,daily_capacity,status,next_seq,acked_seq,"
                     "created_at) VALUES (1,'F1','One',36,103,10,'active',3,0,0), (2,'F2','Two',36,103,10,'active',4,1,0)")
                .ok());
    REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at,sends,last_sent_at,escalated_at) "
                     "VALUES (2,1,'offer',10,x'0a01',100,1,105,NULL), (1,1,'offer',11,x'0a02',101,0,NULL,NULL),"
                     "(2,2,'withdrawn',10,x'0a03',102,2,110,NULL), (1,2,'cancelled',11,x'',103,0,NULL,160),"
                     "(2,3,'offer',12,x'0a04',104,0,NULL,NULL)").ok());
    before = dump(*db);
  }
  auto db = std::move(*Database::open(path, keyed()));
  auto migrated = migrate(*db);
  INFO(migrated.message());
  REQUIRE(migrated.ok());
  CHECK(dump(*db) == before);
  REQUIRE(before.size() == 5);
  CHECK(before[1] == "1|2|cancelled|11||103|0|NULL|160|");

  // Stored by rowid in the order written (created_at), not by firm.
  {
    auto st = db->prepare("SELECT group_concat(firm_id || '/' || seq, ' ') FROM (SELECT firm_id, seq FROM outbox ORDER BY rowid)");
    REQUIRE(*st->step());
    CHECK(st->text(0) == "2/1 1/1 2/2 1/2 2/3");
  }
  REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
  // Constraints as before.
  CHECK(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (2,4,'nudge',13,x'00',200)").code() ==
        Code::kFailedPrecondition);
  CHECK(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (2,0,'offer',13,x'00',200)").code() ==
        Code::kFailedPrecondition);
  REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,3,'offer',13,x'00',200)").ok());
  CHECK(db->last_insert_rowid() == 6);  // appended after the rebuilt rows

  // A replay reads a firm's frames after a seq, in seq order.
  auto frames = outbox_after(*db, 2, 1, 10);
  REQUIRE(frames.ok());
  REQUIRE(frames->size() == 2);
  CHECK((*frames)[0].seq == 2);
  CHECK((*frames)[0].kind == "withdrawn");
  CHECK((*frames)[1].seq == 3);
}

TEST_CASE("version 8 keeps offers out of tickets_firm_state; a firm's list still has every ticket of it, newest first",
          "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto db = file_at_version(path, 7);
    REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
    // Firm 1: offered (ids 1, 4), accepted (2), in service (5), cancelled after acceptance (3);
    // firm 2: one offer (6) and one accepted (7); an unassigned ticket (8) has no firm.
    REQUIRE(db->exec(
        "INSERT INTO tickets(id,ticket_no,elder_id,item_id,category,channel,urgency,window_start,window_end,state,"
        "created_at,created_by,updated_at,firm_id,offer_expires_at,accepted_at,checkin_at,closed_at) VALUES "
        "(1,'T1',1,1,'life_care','hotline','normal',0,1,'offered',0,'op',0,1,9,NULL,NULL,NULL),"
        "(2,'T2',1,1,'life_care','hotline','normal',0,1,'accepted',0,'op',0,1,NULL,5,NULL,NULL),"
        "(3,'T3',1,1,'life_care','hotline','normal',0,1,'cancelled',0,'op',0,1,NULL,5,NULL,7),"
        "(4,'T4',1,1,'life_care','hotline','normal',0,1,'offered',0,'op',0,1,9,NULL,NULL,NULL),"
        "(5,'T5',1,1,'life_care','hotline','normal',0,1,'in_service',0,'op',0,1,NULL,5,6,NULL),"
        "(6,'T6',1,1,'life_care','hotline','normal',0,1,'offered',0,'op',0,2,9,NULL,NULL,NULL),"
        "(7,'T7',1,1,'life_care','hotline','normal',0,1,'accepted',0,'op',0,2,NULL,5,NULL,NULL),"
        "(8,'T8',1,1,'life_care','hotline','normal',0,1,'unassigned',0,'op',0,NULL,NULL,NULL,NULL,NULL)").ok());
  }
  auto db = std::move(*Database::open(path, keyed()));
  REQUIRE(migrate(*db).ok());
  // The index holds every ticket but the offers.
  {
    auto ix = db->prepare("SELECT sql FROM sqlite_schema WHERE name = 'tickets_firm_state'");
    REQUIRE(*ix->step());
    CHECK(ix->text(0) == "CREATE INDEX tickets_firm_state ON tickets(firm_id, state) WHERE state <> 'offered'");
    auto n = db->prepare("SELECT count(*) FROM tickets INDEXED BY tickets_firm_state WHERE state <> 'offered'");
    REQUIRE(*n->step());
    CHECK(n->int64(0) == 5);
  }
  auto numbers = [&](TicketFilter f) {
    auto rows = list_tickets(*db, f);
    REQUIRE(rows.ok());
    std::string out;
    for (const auto& t : *rows) out += t.ticket_no + " ";
    return out;
  };
  TicketFilter firm1;
  firm1.firm_id = 1;
  CHECK(numbers(firm1) == "T5 T4 T3 T2 T1 ");
  firm1.limit = 2;
  CHECK(numbers(firm1) == "T5 T4 ");
  firm1.before_id = 4;
  CHECK(numbers(firm1) == "T3 T2 ");
  firm1.limit = 50;
  firm1.before_id.reset();
  firm1.state = domain::TicketState::kOffered;
  CHECK(numbers(firm1) == "T4 T1 ");
  firm1.state = domain::TicketState::kAccepted;
  CHECK(numbers(firm1) == "T2 ");
  TicketFilter firm2;
  firm2.firm_id = 2;
  CHECK(numbers(firm2) == "T7 T6 ");
  CHECK(numbers(TicketFilter{}) == "T8 T7 T6 T5 T4 T3 T2 T1 ");

  // A firm's tickets in a state other than offered are read from the index, not the table.
  const std::string detail = testing::query_plan(
      *db, "SELECT id FROM tickets WHERE state = 'accepted' AND firm_id = 1 AND state <> 'offered' ORDER BY id DESC");
  INFO(detail);
  CHECK(detail.find("USING COVERING INDEX tickets_firm_state (firm_id=? AND state=?)") != std::string::npos);
}

TEST_CASE("version 9 finds a firm's frames from where its unacknowledged ones begin; triggers keep each seq issued once",
          "[schema]") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  auto seqs = [](const Result<std::vector<OutboxRow>>& rows) {
    REQUIRE(rows.ok());
    std::string out;
    for (const auto& r : *rows) out += std::to_string(r.seq) + " ";
    return out;
  };
  {
    // A version-8 file: firm 1 acked up to 2 of its 4 frames, firm 2 acked both of its own,
    // firm 3 has none.
    auto db = file_at_version(path, 8);
    REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());
    REQUIRE(db->exec("INSERT INTO firms(id,code,name,base_lat,base_lon,daily_capacity,status,next_seq,acked_seq,"
                     "created_at) VALUES (1,'F1','One',36,103,10,'active',5,2,0), (2,'F2','Two',36,103,10,'active',3,2,0),"
                     "(3,'F3','Three',36,103,10,'active',1,0,0)").ok());
    REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES "
                     "(1,1,'offer',10,x'01',1), (2,1,'offer',11,x'02',2), (1,2,'offer',12,x'03',3),"
                     "(1,3,'offer',13,x'04',4), (2,2,'offer',14,x'05',5), (1,4,'withdrawn',13,x'06',6)").ok());
  }
  auto db = std::move(*Database::open(path, keyed()));
  REQUIRE(migrate(*db).ok());
  REQUIRE(db->exec("PRAGMA foreign_keys=OFF").ok());  // no tickets in this file
  auto from = [&](int firm) {
    auto st = db->prepare("SELECT outbox_from FROM firms WHERE id = ?");
    st->bind(1, firm);
    return *query_int(std::move(st));
  };
  CHECK(from(1) == 4);  // its first unacknowledged frame (seq 3)
  CHECK(from(2) == 7);  // nothing unacknowledged: past the last frame
  CHECK(from(3) == 7);

  CHECK(seqs(outbox_after(*db, 1, 2, 10)) == "3 4 ");
  CHECK(seqs(outbox_after(*db, 1, 3, 10)) == "4 ");
  CHECK(seqs(outbox_after(*db, 1, 0, 10)) == "3 4 ");  // acknowledged frames are not sent again
  auto page = outbox_after(*db, 1, 2, 1);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 1);
  CHECK(page->back().id == 4);
  CHECK(seqs(outbox_after(*db, 1, 3, 10, page->back().id + 1)) == "4 ");  // the next page from there
  CHECK(seqs(outbox_after(*db, 1, 2, 10, 5)) == "4 ");  // a caller's start further on is trusted
  CHECK(seqs(outbox_after(*db, 2, 2, 10)).empty());
  // The scan starts at outbox_from, by rowid; no temporary B-tree for the order.
  {
    const std::string detail = testing::query_plan(
        *db, "SELECT frame FROM outbox WHERE id >= max(0, (SELECT outbox_from FROM firms WHERE id = 1)) "
             "AND firm_id = 1 AND seq > 2 ORDER BY id LIMIT 10");
    INFO(detail);
    CHECK(detail.find("SEARCH outbox USING INTEGER PRIMARY KEY (rowid>?)") != std::string::npos);
    CHECK(detail.find("TEMP B-TREE") == std::string::npos);
  }

  // An ack moves outbox_from to the firm's next unacknowledged frame, or past the end.
  REQUIRE(*ack_outbox(*db, 1, 3) == 3);
  CHECK(from(1) == 6);
  REQUIRE(*ack_outbox(*db, 1, 99) == 4);  // only up to the last issued seq
  CHECK(from(1) == 7);
  CHECK(seqs(outbox_after(*db, 1, 4, 10)).empty());
  // Escalation marks only the unacknowledged frames up to the given seq.
  REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,5,'offer',15,x'07',7)").ok());
  CHECK(seqs(outbox_after(*db, 1, 4, 10)) == "5 ");
  CHECK(*escalate_outbox(*db, 1, 5, 100) == 1);
  CHECK(*escalate_outbox(*db, 1, 5, 100) == 0);

  // A frame must carry its firm's next seq (writing it took 5): not a used one, not one ahead.
  CHECK(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,5,'offer',16,x'08',8)").code() ==
        Code::kFailedPrecondition);
  CHECK(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (1,7,'offer',16,x'08',8)").code() ==
        Code::kFailedPrecondition);
  CHECK(db->exec("UPDATE firms SET next_seq = 5 WHERE id = 1").code() == Code::kFailedPrecondition);
  CHECK(db->exec("DELETE FROM outbox WHERE firm_id = 2").code() == Code::kFailedPrecondition);
  auto seq = next_outbox_seq(*db, 1);
  REQUIRE(seq.ok());
  CHECK(*seq == 6);
  CHECK(insert_outbox(*db, {1, *seq, "offer", 16, "x", 9, 0, {}, 0}).ok());

  // The consistency check finds each firm's frames in sequence, and a skipped seq.
  auto c = check_consistency(*db);
  REQUIRE(c.ok());
  CHECK(c->frames_out_of_sequence == 0);
  REQUIRE(db->exec("DROP TRIGGER outbox_seq_issued").ok());
  REQUIRE(db->exec("INSERT INTO outbox(firm_id,seq,kind,ticket_id,frame,created_at) VALUES (3,2,'offer',17,x'09',10)").ok());
  c = check_consistency(*db);
  REQUIRE(c.ok());
  CHECK(c->frames_out_of_sequence == 1);
  CHECK_FALSE(c->ok());
}
