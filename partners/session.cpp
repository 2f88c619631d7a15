#include "partners/session.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <limits>

#include "common/log.hpp"
#include "partners/frames.hpp"
#include "store/audit.hpp"
#include "store/outbox.hpp"

namespace vnh::partners {

namespace {
constexpr std::uint16_t kClosePolicy = 1008;
constexpr std::uint16_t kCloseUnsupported = 1003;
constexpr int kMaxMalformed = 10;
constexpr std::size_t kMaxRequestId = 64;
constexpr int kOutboxPage = 256;

std::shared_ptr<const std::string> bytes(const vnh::v1::ServerFrame& f) {
  return std::make_shared<const std::string>(serialize(f));
}
}  // namespace

std::string_view to_string(Presence p) {
  switch (p) {
    case Presence::kOnline: return "online";
    case Presence::kOffline: return "offline";
    case Presence::kUnknown: return "unknown";
  }
  return "?";
}

Session::Session(Gateway& gw, FirmIdentity firm)
    : gw_(gw),
      firm_(std::move(firm)),
      delivery_(Delivery::Rules{static_cast<TimeMs>(gw.policy.ack_timeout_s) * kMsPerSecond, gw.policy.max_resends}) {}

void Session::on_open(std::shared_ptr<net::WsConnection> conn) {
  const TimeMs now = gw_.clock.now_ms();
  {
    std::lock_guard lk(mu_);
    conn_ = std::move(conn);
    connected_at_ = now;
    last_heartbeat_ = now;
  }
  if (auto old = gw_.sessions.attach(firm_.id, shared_from_this())) {
    old->close(kClosePolicy, "replaced by a newer connection of the same firm");
  }
  std::uint64_t acked = 0;
  if (auto db = gw_.store.read(); db.ok()) {
    if (auto a = store::acked_seq(**db, firm_.id); a.ok()) acked = *a;
  }
  vnh::v1::ServerFrame w;
  auto* welcome = w.mutable_welcome();
  welcome->set_firm_code(firm_.code);
  welcome->set_server_time_ms(now);
  welcome->set_acked_seq(acked);
  welcome->set_heartbeat_interval_s(gw_.policy.heartbeat_interval_s);
  welcome->set_max_frame_bytes(gw_.policy.max_frame_bytes);
  Delivery::Read backlog;
  std::string remote;
  {
    std::lock_guard lk(mu_);
    conn_->send(bytes(w), true);
    backlog = delivery_.open(acked, now);
    remote = conn_->remote();
  }
  log::info("msg=\"partner connected\" firm={} remote={} acked={}", firm_.code, remote, acked);
  // Everything not yet acknowledged, in seq order.
  read_outbox(backlog);
}

void Session::on_message(std::string&& data, bool binary) {
  {
    std::lock_guard lk(mu_);
    last_heartbeat_ = gw_.clock.now_ms();
  }
  if (!binary) return close(kCloseUnsupported, "binary protobuf frames only (vnh.v1.ClientFrame)");
  vnh::v1::ClientFrame f;
  if (!f.ParseFromString(data)) {
    ++gw_.stats.malformed;
    reply(result_frame("", Status(Code::kInvalidArgument, "not a vnh.v1.ClientFrame", "", reason::kMalformedFrame)));
    if (++malformed_ >= kMaxMalformed) close(kClosePolicy, "too many malformed frames");
    return;
  }
  switch (f.body_case()) {
    case vnh::v1::ClientFrame::kAck:
      return on_ack(f.ack().seq());
    case vnh::v1::ClientFrame::kPing: {
      vnh::v1::ServerFrame p;
      p.mutable_pong()->set_time_ms(f.ping().time_ms());
      p.mutable_pong()->set_server_time_ms(gw_.clock.now_ms());
      return reply(p);
    }
    case vnh::v1::ClientFrame::BODY_NOT_SET:
      ++gw_.stats.malformed;
      return reply(result_frame(f.request_id(),
                                Status(Code::kInvalidArgument, "unknown or empty message type", "", reason::kUnknownMessage)));
    default:
      return on_command(std::move(f));
  }
}

void Session::on_close(const std::string& reason) {
  {
    std::lock_guard lk(mu_);
    closed_ = true;
  }
  gw_.sessions.detach(firm_.id, this);
  log::info("msg=\"partner disconnected\" firm={} reason={}", firm_.code, log::q(reason));
}

void Session::deliver(std::uint64_t seq, std::shared_ptr<const std::string> frame) {
  Delivery::Read gap;
  {
    std::lock_guard lk(mu_);
    if (closed_) return;
    switch (delivery_.committed(seq, gw_.clock.now_ms())) {
      case Delivery::Step::kNothing: return;
      case Delivery::Step::kSend: return send_locked(std::move(frame));
      case Delivery::Step::kRead: gap = delivery_.pending_read(); break;
    }
  }
  // A gap: what is missing is read from the outbox on an I/O thread (this is the completer).
  boost::asio::post(gw_.ioc, [self = shared_from_this(), gap] { self->read_outbox(gap); });
}

void Session::read_outbox(Delivery::Read r) {
  std::int64_t from_id = 0;  // each page of frames starts where the last one ended
  while (true) {
    Result<std::vector<store::OutboxRow>> rows = Status(Code::kUnavailable, "no read connection");
    if (auto db = gw_.store.read(); db.ok()) rows = store::outbox_after(**db, firm_.id, r.after, kOutboxPage, from_id);
    std::lock_guard lk(mu_);
    if (closed_ || !rows.ok()) return delivery_.read_failed();
    const TimeMs now = gw_.clock.now_ms();
    for (const auto& row : *rows) {
      if (delivery_.read_frame(row.seq, now)) send_locked(std::make_shared<const std::string>(row.frame));
      from_id = row.id + 1;
    }
    auto next = delivery_.read_finished(rows->size(), kOutboxPage);
    if (!next) return;
    r = *next;
  }
}

void Session::close(std::uint16_t code, const std::string& reason) {
  std::shared_ptr<net::WsConnection> c;
  {
    std::lock_guard lk(mu_);
    c = conn_;
  }
  if (c) c->close(code, reason);
}

void Session::tick(TimeMs now) {
  Delivery::Tick t;
  {
    std::lock_guard lk(mu_);
    if (closed_) return;
    t = delivery_.tick(now);
  }
  if (!t.resend) return;
  gw_.stats.frames_resent += t.resent;
  if (t.escalate_to) escalate(*t.escalate_to);
  read_outbox(*t.resend);
}

FirmPresence Session::snapshot(TimeMs now) const {
  std::lock_guard lk(mu_);
  FirmPresence p;
  p.firm_id = firm_.id;
  p.firm_code = firm_.code;
  TimeMs limit = 2 * static_cast<TimeMs>(gw_.policy.heartbeat_interval_s) * kMsPerSecond;
  p.presence = closed_ ? Presence::kOffline : (now - last_heartbeat_ > limit ? Presence::kUnknown : Presence::kOnline);
  p.connected_at = connected_at_;
  p.last_heartbeat = last_heartbeat_;
  p.sent_seq = delivery_.sent();
  p.acked_seq = delivery_.acked();
  p.remote = conn_ ? conn_->remote() : "";
  return p;
}

void Session::reply(const vnh::v1::ServerFrame& f) {
  std::lock_guard lk(mu_);
  if (!closed_ && conn_) conn_->send(bytes(f), true);
}

void Session::send_locked(std::shared_ptr<const std::string> frame) {
  if (!conn_) return;
  conn_->send(std::move(frame), true);
  ++gw_.stats.frames_sent;
}

void Session::escalate(std::uint64_t upto) {
  auto self = shared_from_this();
  const TimeMs now = gw_.clock.now_ms();
  auto n = std::make_shared<int>(0);
  gw_.store.writer().submit(
      [self, upto, now, n](store::WriteTx& tx) -> Status {
        auto r = store::escalate_outbox(tx.db(), self->firm_.id, upto, now);
        if (!r.ok()) return r.status();
        *n = *r;
        if (*n == 0) return Status::Ok();
        return store::append_audit(tx.db(), now,
                                   {"system", "partner.escalate", "firm:" + self->firm_.code,
                                    fmt::format("{{\"up_to_seq\":{},\"frames\":{}}}", upto, *n)});
      },
      [self, upto, n](Status st) {
        if (!st.ok() || *n == 0) return;
        ++self->gw_.stats.escalations;
        log::warn("msg=\"partner not acknowledging, escalated\" firm={} up_to_seq={} frames={}", self->firm_.code,
                  upto, *n);
        if (self->gw_.escalated) self->gw_.escalated(self->firm_.code, upto, *n);
      });
}

void Session::on_ack(std::uint64_t seq) {
  auto self = shared_from_this();
  auto acked = std::make_shared<std::uint64_t>(0);
  gw_.store.writer().submit(
      [self, seq, acked](store::WriteTx& tx) -> Status {
        auto r = store::ack_outbox(tx.db(), self->firm_.id, seq);
        if (!r.ok()) return r.status();
        *acked = *r;
        return Status::Ok();
      },
      [self, acked](Status st) {
        if (!st.ok()) return;
        std::lock_guard lk(self->mu_);
        self->delivery_.acked(*acked);
      });
}

void Session::on_command(vnh::v1::ClientFrame f) {
  const std::string rid = f.request_id();
  if (rid.empty() || rid.size() > kMaxRequestId) {
    return reply(result_frame(rid, invalid("request_id", "is required (1 to 64 bytes)", reason::kInvalidRequestId)));
  }
  ++gw_.stats.commands;
  auto self = shared_from_this();
  auto answer = std::make_shared<CommandAnswer>();
  auto frame = std::make_shared<vnh::v1::ClientFrame>(std::move(f));
  gw_.store.writer().submit(
      [self, frame, answer](store::WriteTx& tx) -> Status {
        auto a = self->gw_.commands.run(tx, self->firm_, *frame);
        if (!a.ok()) return a.status();
        *answer = std::move(*a);
        return Status::Ok();
      },
      [self, answer, rid](Status st) {
        if (!st.ok()) {
          // Storage trouble: nothing was recorded, the firm may retry with the same id.
          self->reply(result_frame(rid, Status(Code::kUnavailable, "try again: " + st.message(), "", reason::kUnavailable)));
          return;
        }
        if (answer->replayed) ++self->gw_.stats.command_replays;
        std::lock_guard lk(self->mu_);
        if (!self->closed_ && self->conn_) self->conn_->send(std::make_shared<const std::string>(answer->frame), true);
      });
}

}  // namespace vnh::partners
