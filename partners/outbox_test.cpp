// The outbox as the ticket service's OfferSink: frames stored with each firm's next seq in the
// ticket's transaction, handed over only once it commits.
#include <catch2/catch.hpp>

#include <map>

#include "store/outbox.hpp"
#include "tests/support/partner_rig.hpp"

using namespace vnh;
using vnh::testing::PartnerRig;

TEST_CASE("an offer is stored with the firm's next seq and handed over only after the commit", "[outbox]") {
  PartnerRig r;
  std::size_t delivered_inside = 99;
  std::string no;
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
            tickets::CreateRequest req;
            req.id_number = "620102195810100019";
            req.item_code = "LC010";
            auto c = r.service.create(tx, req, tickets::Actor::user("op"), 1, std::nullopt, "");
            if (!c.ok()) return c.status();
            no = c->ticket.ticket_no;
            delivered_inside = r.delivered.frames.size();  // the transaction is still open here
            return Status::Ok();
          }).ok());
  CHECK(delivered_inside == 0);
  REQUIRE(r.delivered.frames.size() == 1);
  const auto& f = r.delivered.frames[0];
  CHECK(f.firm_id == r.firm("F_NEAR").id);
  CHECK(f.seq == 1);
  CHECK(f.frame.seq() == 1);
  REQUIRE(f.frame.has_offer());
  CHECK(f.frame.offer().ticket_no() == no);
  CHECK(f.frame.offer().elder().name() != "张三明");  // the offer's card is masked
  // Stored, and waiting for the firm's ack.
  auto stored = store::outbox_after(r.w.store->db(), r.firm("F_NEAR").id, 0, 10);
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().kind == "offer");
  CHECK(stored->front().seq == 1);
}

TEST_CASE("each firm's frames get consecutive seqs; a withdrawal and a cancellation are frames too", "[outbox]") {
  PartnerRig r;
  auto t1 = r.create();
  REQUIRE(r.ticket(t1.ticket_no).firm_id == r.firm("F_NEAR").id);
  REQUIRE(r.w.tx([&](store::WriteTx& tx) {
            return r.service.cancel(tx, t1.ticket_no, "elder in hospital", tickets::Actor::user("op")).status();
          }).ok());
  auto t2 = r.create();
  // A supervisor moves it to F_FAR, then to F_NEAR: the holder hears of each withdrawal.
  for (const char* firm : {"F_FAR", "F_NEAR"}) {
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
              return r.service.reoffer(tx, t2.ticket_no, std::string(firm), tickets::Actor::user("sup")).status();
            }).ok());
  }
  std::map<std::int64_t, std::vector<std::uint64_t>> seqs;
  std::vector<std::string> near;
  for (const auto& f : r.delivered.frames) {
    seqs[f.firm_id].push_back(f.seq);
    CHECK(f.frame.seq() == f.seq);
    if (f.firm_id != r.firm("F_NEAR").id) continue;
    near.push_back(f.frame.has_offer() ? "offer:" + f.frame.offer().ticket_no()
                                       : "withdrawn:" + f.frame.withdrawn().ticket_no() + ":" + f.frame.withdrawn().reason());
  }
  for (const auto& [firm, list] : seqs) {
    for (std::size_t i = 0; i < list.size(); ++i) CHECK(list[i] == i + 1);  // 1, 2, 3… per firm, none skipped
  }
  REQUIRE(near.size() >= 3);
  CHECK(near[0] == "offer:" + t1.ticket_no);
  CHECK(near[1] == "withdrawn:" + t1.ticket_no + ":cancelled: elder in hospital");
  CHECK(near.back() == "offer:" + t2.ticket_no);
  CHECK(seqs[r.firm("F_FAR").id].size() == 2);  // the offer of t2 and its withdrawal
  SECTION("an accepted ticket's cancellation tells the firm it is cancelled") {
    vnh::v1::ClientFrame accept;
    accept.set_request_id("a-1");
    accept.mutable_accept()->set_ticket_no(t2.ticket_no);
    REQUIRE(r.command(r.firm("F_NEAR"), accept).ok());
    REQUIRE(r.ticket(t2.ticket_no).state == domain::TicketState::kAccepted);
    REQUIRE(r.w.tx([&](store::WriteTx& tx) {
              return r.service.cancel(tx, t2.ticket_no, "called twice", tickets::Actor::user("op")).status();
            }).ok());
    const auto& last = r.delivered.frames.back();
    CHECK(last.firm_id == r.firm("F_NEAR").id);
    REQUIRE(last.frame.has_cancelled());
    CHECK(last.frame.cancelled().ticket_no() == t2.ticket_no);
    CHECK(last.frame.cancelled().reason() == "called twice");
    CHECK(last.seq == seqs[r.firm("F_NEAR").id].size() + 1);
  }
}

TEST_CASE("a rolled-back transaction hands nothing over and leaves no frame", "[outbox]") {
  PartnerRig r;
  Status st = r.w.tx([&](store::WriteTx& tx) -> Status {
    tickets::CreateRequest req;
    req.id_number = "620102195810100019";
    req.item_code = "LC010";
    auto c = r.service.create(tx, req, tickets::Actor::user("op"), 1, std::nullopt, "");
    if (!c.ok()) return c.status();
    return Status(Code::kUnavailable, "the disk went away");
  });
  CHECK(st.code() == Code::kUnavailable);
  CHECK(r.delivered.frames.empty());
  auto stored = store::outbox_after(r.w.store->db(), r.firm("F_NEAR").id, 0, 10);
  REQUIRE(stored.ok());
  CHECK(stored->empty());
  // The seq was not used up: the next frame is still 1.
  r.create();
  REQUIRE(r.delivered.frames.size() == 1);
  CHECK(r.delivered.frames[0].seq == 1);
}
