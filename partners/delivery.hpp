#pragma once
// Delivery: one firm's side of the partner protocol's ordered delivery (SPEC §8,
// docs/protocol.md) as a pure state machine — which frame is sent next, when the outbox must
// be read, when unacknowledged frames are sent again and when the firm is escalated to the
// supervisors. It does no I/O and reads no clock: the session tells it what happened (a
// connection with the firm's acked seq, a committed frame, frames read back, an ack, a tick
// with the time) and does what it answers (send this frame, read the outbox after seq N,
// escalate up to seq N). Not thread-safe: the session guards it with its mutex.
//
// Invariants: frames go out in seq order, each at most once per round; `sent` never passes a
// frame that was not handed out; at most one outbox read is outstanding; a frame committed
// while a read is outstanding is picked up before the read ends.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace vnh::partners {

class Delivery {
 public:
  struct Rules {
    TimeMs ack_timeout_ms = 30'000;  // unacknowledged this long after the last send: send again
    int max_resends = 3;             // escalate when the round after the last re-send is reached
  };
  // An outbox read to run: the firm's unacknowledged frames with seq > after, in seq order.
  struct Read {
    std::uint64_t after = 0;
  };
  enum class Step { kNothing, kSend, kRead };
  struct Tick {
    std::optional<Read> resend;                // frames after the acked seq go out again
    std::uint64_t resent = 0;                  // how many frames that round re-sends
    std::optional<std::uint64_t> escalate_to;  // escalate the unacked frames up to this seq
  };

  explicit Delivery(Rules rules) : rules_(rules) {}

  // The firm connected, having acknowledged everything up to `acked`: read what follows.
  // Until then nothing is sent (frames committed before it are picked up by that read).
  Read open(std::uint64_t acked, TimeMs now);
  // Frame `seq` was committed: kSend when it is the next one (it now counts as sent), kRead
  // when frames before it are missing (run pending_read()), kNothing when it went out
  // already or the outstanding read will pick it up.
  Step committed(std::uint64_t seq, TimeMs now);
  // The read to run after committed() answered kRead.
  Read pending_read() const { return Read{sent_}; }
  // A frame of the outstanding read, in the order read: true when it is to be sent now (it
  // then counts as sent), false when it went out already.
  bool read_frame(std::uint64_t seq, TimeMs now);
  // The outstanding read returned `rows` frames out of a page of `page`: the next read when
  // more may be due (a full page, or a frame committed meanwhile), else the read is over.
  std::optional<Read> read_finished(std::size_t rows, std::size_t page);
  // The outstanding read failed (storage unavailable): the next tick sends again.
  void read_failed() { reading_ = false; }
  // The firm acknowledged everything up to `seq` (cumulative; never moves back).
  void acked(std::uint64_t seq);
  // Time passed: maybe a re-send round, maybe an escalation.
  Tick tick(TimeMs now);

  std::uint64_t sent() const { return sent_; }
  std::uint64_t acked() const { return acked_; }
  bool reading() const { return reading_; }
  int resend_rounds() const { return rounds_; }

 private:
  Rules rules_;
  std::uint64_t acked_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t missed_ = 0;  // highest frame committed while a read was outstanding
  TimeMs last_send_ = 0;
  int rounds_ = 0;
  bool reading_ = true;  // until open(): the backlog read is pending, nothing goes out
};

}  // namespace vnh::partners
