#include "partners/delivery.hpp"

#include <algorithm>

namespace vnh::partners {

Delivery::Read Delivery::open(std::uint64_t acked, TimeMs now) {
  acked_ = std::max(acked_, acked);
  sent_ = acked_;
  rounds_ = 0;
  reading_ = true;  // frames committed before the connection opened are in missed_
  last_send_ = now;
  return Read{sent_};
}

Delivery::Step Delivery::committed(std::uint64_t seq, TimeMs now) {
  if (reading_) {
    missed_ = std::max(missed_, seq);
    return Step::kNothing;
  }
  if (seq <= sent_) return Step::kNothing;
  if (seq == sent_ + 1) {
    sent_ = seq;
    last_send_ = now;
    return Step::kSend;
  }
  reading_ = true;  // a gap: what is missing comes from the outbox
  return Step::kRead;
}

bool Delivery::read_frame(std::uint64_t seq, TimeMs now) {
  if (seq <= sent_) return false;
  sent_ = seq;
  last_send_ = now;
  return true;
}

std::optional<Delivery::Read> Delivery::read_finished(std::size_t rows, std::size_t page) {
  if ((rows > 0 && rows >= page) || missed_ > sent_) return Read{sent_};
  reading_ = false;
  missed_ = 0;
  return std::nullopt;
}

void Delivery::acked(std::uint64_t seq) {
  if (seq <= acked_) return;
  acked_ = seq;
  sent_ = std::max(sent_, acked_);  // what the firm has is delivered, however it got there
  rounds_ = 0;
}

Delivery::Tick Delivery::tick(TimeMs now) {
  Tick t;
  if (reading_ || acked_ >= sent_) return t;
  if (now - last_send_ < rules_.ack_timeout_ms) return t;
  ++rounds_;
  t.resent = sent_ - acked_;
  missed_ = std::max(missed_, sent_);  // the round goes at least as far as the last one did
  if (rounds_ == rules_.max_resends + 1) t.escalate_to = sent_;
  sent_ = acked_;
  reading_ = true;
  t.resend = Read{sent_};
  return t;
}

}  // namespace vnh::partners
