// The per-firm delivery state machine, driven by a fake clock: what goes out, when the
// outbox is read, when frames are sent again, when the firm is escalated.
#include <catch2/catch.hpp>

#include <vector>

#include "common/clock.hpp"
#include "partners/delivery.hpp"

using namespace vnh;
using partners::Delivery;
using Step = Delivery::Step;

namespace {

// Plays a session: runs the reads the machine asks for against a pretend outbox holding
// frames 1..`written` (minus the acked ones), and records what was sent.
struct Firm {
  FakeClock clock{1'800'000'000'000};
  Delivery d{Delivery::Rules{30'000, 3}};
  std::uint64_t written = 0;  // frames committed so far
  std::uint64_t acked_in_db = 0;
  std::vector<std::uint64_t> sent;
  std::size_t page = 2;

  void read(Delivery::Read r) {
    while (true) {
      std::size_t rows = 0;
      for (std::uint64_t seq = std::max(r.after, acked_in_db) + 1; seq <= written && rows < page; ++seq, ++rows) {
        if (d.read_frame(seq, clock.now_ms())) sent.push_back(seq);
      }
      auto next = d.read_finished(rows, page);
      if (!next) return;
      r = *next;
    }
  }
  void commit() {
    ++written;
    switch (d.committed(written, clock.now_ms())) {
      case Step::kSend: sent.push_back(written); break;
      case Step::kRead: read(d.pending_read()); break;
      case Step::kNothing: break;
    }
  }
};

}  // namespace

TEST_CASE("nothing goes out before the connection opens; then the backlog, then each frame as committed", "[delivery]") {
  Firm f;
  f.written = 4;
  f.acked_in_db = 1;
  CHECK(f.d.committed(5, f.clock.now_ms()) == Step::kNothing);  // not open yet
  f.written = 5;
  auto backlog = f.d.open(1, f.clock.now_ms());
  CHECK(backlog.after == 1);
  f.read(backlog);  // pages of 2: 2 3 | 4 5 | (empty)
  CHECK(f.sent == std::vector<std::uint64_t>{2, 3, 4, 5});
  CHECK_FALSE(f.d.reading());
  f.commit();
  f.commit();
  CHECK(f.sent == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7});
  CHECK(f.d.sent() == 7);
  SECTION("a frame already sent is not sent twice") {
    CHECK(f.d.committed(7, f.clock.now_ms()) == Step::kNothing);
  }
  SECTION("a gap is filled from the outbox, in order") {
    f.written = 9;  // frames 8 and 9 committed, only 9 handed over (8's hand-off is late)
    CHECK(f.d.committed(9, f.clock.now_ms()) == Step::kRead);
    CHECK(f.d.pending_read().after == 7);
    f.read(f.d.pending_read());
    CHECK(f.sent.back() == 9);
    CHECK(f.sent[f.sent.size() - 2] == 8);
    CHECK(f.d.committed(8, f.clock.now_ms()) == Step::kNothing);  // the late hand-off
  }
}

TEST_CASE("a frame committed while the backlog is being read is picked up before the read ends", "[delivery]") {
  Firm f;
  f.page = 100;
  f.written = 1;
  auto r = f.d.open(0, f.clock.now_ms());
  // The read returns frame 1; meanwhile frame 2 commits and is handed over.
  REQUIRE(f.d.read_frame(1, f.clock.now_ms()));
  f.sent.push_back(1);
  f.written = 2;
  CHECK(f.d.committed(2, f.clock.now_ms()) == Step::kNothing);
  auto next = f.d.read_finished(1, f.page);
  REQUIRE(next);  // not over: frame 2 is still to go
  CHECK(next->after == 1);
  f.read(*next);
  CHECK(f.sent == std::vector<std::uint64_t>{1, 2});
  CHECK_FALSE(f.d.reading());
  CHECK(r.after == 0);
}

TEST_CASE("unacknowledged frames go out again after the ack timeout and the firm is escalated once", "[delivery]") {
  Firm f;
  f.d.open(0, f.clock.now_ms());
  f.read({0});
  f.commit();
  f.commit();
  f.commit();
  REQUIRE(f.sent == std::vector<std::uint64_t>{1, 2, 3});
  f.clock.advance(29'999);
  CHECK_FALSE(f.d.tick(f.clock.now_ms()).resend);
  std::vector<std::uint64_t> escalations;
  for (int round = 1; round <= 5; ++round) {
    f.clock.advance(30'000);
    auto t = f.d.tick(f.clock.now_ms());
    REQUIRE(t.resend);
    CHECK(t.resend->after == 0);
    CHECK(t.resent == 3);
    if (t.escalate_to) escalations.push_back(*t.escalate_to);
    f.sent.clear();
    f.read(*t.resend);
    CHECK(f.sent == std::vector<std::uint64_t>{1, 2, 3});
  }
  CHECK(escalations == std::vector<std::uint64_t>{3});  // at the round after the third re-send, once
  CHECK(f.d.resend_rounds() == 5);
  SECTION("an ack stops the re-sends and starts the count again") {
    f.d.acked(2);
    f.acked_in_db = 2;
    CHECK(f.d.resend_rounds() == 0);
    f.clock.advance(30'000);
    auto t = f.d.tick(f.clock.now_ms());
    REQUIRE(t.resend);
    CHECK(t.resent == 1);
    f.sent.clear();
    f.read(*t.resend);
    CHECK(f.sent == std::vector<std::uint64_t>{3});
    f.d.acked(3);
    f.clock.advance(60'000);
    CHECK_FALSE(f.d.tick(f.clock.now_ms()).resend);
  }
}

TEST_CASE("acks are cumulative, never move back, and count what the firm has as delivered", "[delivery]") {
  Firm f;
  f.d.open(0, f.clock.now_ms());
  f.read({0});
  f.commit();
  f.commit();
  f.d.acked(2);
  f.d.acked(1);
  CHECK(f.d.acked() == 2);
  // A firm acknowledging past what it was sent (a frame it got before a restart): delivered.
  f.written = 5;
  f.acked_in_db = 5;
  f.d.acked(5);
  CHECK(f.d.sent() == 5);
  f.clock.advance(60'000);
  CHECK_FALSE(f.d.tick(f.clock.now_ms()).resend);
  f.commit();
  CHECK(f.sent.back() == 6);
}

TEST_CASE("a read that fails is tried again by the next re-send round", "[delivery]") {
  Firm f;
  f.d.open(0, f.clock.now_ms());
  f.read({0});
  f.commit();
  f.written = 3;
  CHECK(f.d.committed(3, f.clock.now_ms()) == Step::kRead);
  f.d.read_failed();  // storage unavailable
  CHECK_FALSE(f.d.reading());
  f.clock.advance(30'000);
  auto t = f.d.tick(f.clock.now_ms());
  REQUIRE(t.resend);
  f.sent.clear();
  f.read(*t.resend);
  CHECK(f.sent == std::vector<std::uint64_t>{1, 2, 3});
}
