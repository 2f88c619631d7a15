#include "partners/hub.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "partners/frames.hpp"
#include "store/audit.hpp"
#include "store/elders.hpp"
#include "store/outbox.hpp"
#include "store/reference.hpp"

namespace vnh::partners {

namespace {
constexpr std::uint16_t kClosePolicy = 1008;
constexpr std::uint16_t kCloseUnsupported = 1003;
constexpr std::uint16_t kCloseNormal = 1000;
constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr int kMaxMalformed = 10;
constexpr std::size_t kMaxRequestId = 64;

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

// One firm's connection.
class PartnerHub::Session final : public net::WsHandler, public std::enable_shared_from_this<Session> {
 public:
  Session(PartnerHub& hub, std::int64_t firm_id, std::string firm_code)
      : hub_(hub), firm_id_(firm_id), firm_code_(std::move(firm_code)) {}

  void on_open(std::shared_ptr<net::WsConnection> conn) override {
    TimeMs now = hub_.clock_.now_ms();
    {
      std::lock_guard lk(mu_);
      conn_ = std::move(conn);
      connected_at_ = now;
      last_heartbeat_ = now;
    }
    hub_.attach(firm_id_, shared_from_this());
    std::uint64_t acked = 0;
    {
      auto db = hub_.store_.read();
      if (db.ok()) {
        auto a = store::acked_seq(**db, firm_id_);
        if (a.ok()) acked = *a;
      }
    }
    vnh::v1::ServerFrame w;
    auto* welcome = w.mutable_welcome();
    welcome->set_firm_code(firm_code_);
    welcome->set_server_time_ms(now);
    welcome->set_acked_seq(acked);
    welcome->set_heartbeat_interval_s(hub_.policy_.heartbeat_interval_s);
    welcome->set_max_frame_bytes(hub_.policy_.max_frame_bytes);
    std::lock_guard lk(mu_);
    acked_ = acked;
    sent_upto_ = acked;
    conn_->send(bytes(w), true);
    // Everything not yet acknowledged, in seq order.
    send_backlog_locked(std::numeric_limits<std::uint64_t>::max());
    log::info("msg=\"partner connected\" firm={} remote={} acked={} sent={}", firm_code_, conn_->remote(), acked_,
              sent_upto_);
  }

  void on_message(std::string&& data, bool binary) override {
    {
      std::lock_guard lk(mu_);
      last_heartbeat_ = hub_.clock_.now_ms();
    }
    if (!binary) {
      close(kCloseUnsupported, "binary protobuf frames only (vnh.v1.ClientFrame)");
      return;
    }
    vnh::v1::ClientFrame f;
    if (!f.ParseFromString(data)) {
      ++hub_.stats_.malformed;
      reply(vnh::v1::ServerFrame(result_frame("", Status(Code::kInvalidArgument, "not a vnh.v1.ClientFrame", "",
                                                         "malformed_frame"))));
      if (++malformed_ >= kMaxMalformed) close(kClosePolicy, "too many malformed frames");
      return;
    }
    switch (f.body_case()) {
      case vnh::v1::ClientFrame::kAck:
        return on_ack(f.ack().seq());
      case vnh::v1::ClientFrame::kPing: {
        vnh::v1::ServerFrame p;
        p.mutable_pong()->set_time_ms(f.ping().time_ms());
        p.mutable_pong()->set_server_time_ms(hub_.clock_.now_ms());
        return reply(p);
      }
      case vnh::v1::ClientFrame::BODY_NOT_SET:
        ++hub_.stats_.malformed;
        return reply(result_frame(f.request_id(), Status(Code::kInvalidArgument, "unknown or empty message type", "",
                                                         "unknown_message")));
      default:
        return on_command(std::move(f));
    }
  }

  void on_close(const std::string& reason) override {
    {
      std::lock_guard lk(mu_);
      closed_ = true;
    }
    hub_.detach(firm_id_, this);
    log::info("msg=\"partner disconnected\" firm={} reason={}", firm_code_, log::q(reason));
  }

  void deliver(std::uint64_t seq, std::shared_ptr<const std::string> frame) {
    std::lock_guard lk(mu_);
    if (closed_ || seq <= sent_upto_) return;
    if (seq == sent_upto_ + 1) {
      conn_->send(std::move(frame), true);
      sent_upto_ = seq;
      last_send_ = hub_.clock_.now_ms();
      ++hub_.stats_.frames_sent;
    } else {
      send_backlog_locked(seq);  // a gap: read what is missing from the outbox
    }
  }

  void close(std::uint16_t code, const std::string& reason) {
    std::shared_ptr<net::WsConnection> c;
    {
      std::lock_guard lk(mu_);
      c = conn_;
    }
    if (c) c->close(code, reason);
  }

  // Every second: re-send after the ack timeout, escalate after repeated failures.
  void tick(TimeMs now) {
    std::lock_guard lk(mu_);
    if (closed_ || acked_ >= sent_upto_) return;
    TimeMs timeout = static_cast<TimeMs>(hub_.policy_.ack_timeout_s) * kMsPerSecond;
    if (now - last_send_ < timeout) return;
    ++resend_rounds_;
    std::uint64_t upto = sent_upto_;
    sent_upto_ = acked_;
    send_backlog_locked(upto);
    hub_.stats_.frames_resent += upto - acked_;
    if (resend_rounds_ == hub_.policy_.max_resends + 1) escalate_locked(upto);
  }

  FirmPresence snapshot(TimeMs now) const {
    std::lock_guard lk(mu_);
    FirmPresence p;
    p.firm_id = firm_id_;
    p.firm_code = firm_code_;
    TimeMs limit = 2 * static_cast<TimeMs>(hub_.policy_.heartbeat_interval_s) * kMsPerSecond;
    p.presence = closed_ ? Presence::kOffline : (now - last_heartbeat_ > limit ? Presence::kUnknown : Presence::kOnline);
    p.connected_at = connected_at_;
    p.last_heartbeat = last_heartbeat_;
    p.sent_seq = sent_upto_;
    p.acked_seq = acked_;
    p.remote = conn_ ? conn_->remote() : "";
    return p;
  }

 private:
  void reply(const vnh::v1::ServerFrame& f) {
    std::lock_guard lk(mu_);
    if (!closed_ && conn_) conn_->send(bytes(f), true);
  }

  // Sends the outbox frames after sent_upto_ up to `upto` (read from the database).
  void send_backlog_locked(std::uint64_t upto) {
    auto db = hub_.store_.read();
    if (!db.ok()) return;
    std::int64_t from_id = 0;  // each page of frames starts where the last one ended
    while (sent_upto_ < upto) {
      auto rows = store::outbox_after(**db, firm_id_, sent_upto_, 256, from_id);
      if (!rows.ok() || rows->empty()) break;
      for (const auto& r : *rows) {
        if (r.seq > upto) return;
        conn_->send(std::make_shared<const std::string>(r.frame), true);
        sent_upto_ = r.seq;
        from_id = r.id + 1;
        ++hub_.stats_.frames_sent;
      }
    }
    last_send_ = hub_.clock_.now_ms();
  }

  void escalate_locked(std::uint64_t upto) {
    auto self = shared_from_this();
    TimeMs now = hub_.clock_.now_ms();
    std::string code = firm_code_;
    auto n = std::make_shared<int>(0);
    hub_.store_.writer().submit(
        [self, upto, now, n, code](store::WriteTx& tx) -> Status {
          auto r = store::escalate_outbox(tx.db(), self->firm_id_, upto, now);
          if (!r.ok()) return r.status();
          *n = *r;
          if (*n == 0) return Status::Ok();
          return store::append_audit(tx.db(), now,
                                     {"system", "partner.escalate", "firm:" + code,
                                      fmt::format("{{\"up_to_seq\":{},\"frames\":{}}}", upto, *n)});
        },
        [self, upto, n, code](Status st) {
          if (!st.ok() || *n == 0) return;
          ++self->hub_.stats_.escalations;
          log::warn("msg=\"partner not acknowledging, escalated\" firm={} up_to_seq={} frames={}", code, upto, *n);
          if (self->hub_.events_.escalated) self->hub_.events_.escalated(code, upto, *n);
        });
  }

  void on_ack(std::uint64_t seq) {
    auto self = shared_from_this();
    auto acked = std::make_shared<std::uint64_t>(0);
    hub_.store_.writer().submit(
        [self, seq, acked](store::WriteTx& tx) -> Status {
          auto r = store::ack_outbox(tx.db(), self->firm_id_, seq);
          if (!r.ok()) return r.status();
          *acked = *r;
          return Status::Ok();
        },
        [self, acked](Status st) {
          if (!st.ok()) return;
          std::lock_guard lk(self->mu_);
          if (*acked > self->acked_) {
            self->acked_ = *acked;
            self->resend_rounds_ = 0;
          }
        });
  }

  void on_command(vnh::v1::ClientFrame f) {
    const std::string rid = f.request_id();
    if (rid.empty() || rid.size() > kMaxRequestId) {
      return reply(result_frame(rid, invalid("request_id", "is required (1 to 64 bytes)", "invalid_request_id")));
    }
    ++hub_.stats_.commands;
    auto self = shared_from_this();
    auto out = std::make_shared<std::string>();
    auto replayed = std::make_shared<bool>(false);
    auto frame = std::make_shared<vnh::v1::ClientFrame>(std::move(f));
    hub_.store_.writer().submit(
        [self, frame, out, replayed](store::WriteTx& tx) -> Status {
          return self->run_command(tx, *frame, *out, *replayed);
        },
        [self, out, replayed, rid](Status st) {
          if (!st.ok()) {
            // Storage trouble: nothing was recorded, the firm may retry with the same id.
            self->reply(result_frame(rid, Status(Code::kUnavailable, "try again: " + st.message(), "", "unavailable")));
            return;
          }
          if (*replayed) ++self->hub_.stats_.command_replays;
          std::lock_guard lk(self->mu_);
          if (!self->closed_ && self->conn_) self->conn_->send(std::make_shared<const std::string>(*out), true);
        });
  }

  // Runs one command in the writer's transaction and records its answer. Returns non-ok only
  // for storage failures.
  Status run_command(store::WriteTx& tx, const vnh::v1::ClientFrame& f, std::string& out, bool& replayed) {
    auto& db = tx.db();
    const auto& crypto = hub_.store_.crypto();
    auto prior = store::find_command_result(db, firm_id_, f.request_id());
    if (!prior.ok()) return prior.status();
    if (*prior) {
      auto plain = crypto.decrypt("partner_commands.result", **prior);
      if (!plain.ok()) return plain.status();
      out = *plain;
      replayed = true;
      return Status::Ok();
    }
    tickets::Actor actor{"firm:" + firm_code_, true};
    tickets::Service& svc = hub_.service_;
    std::optional<store::TicketRow> ticket;
    std::optional<vnh::v1::Elder> elder;
    auto keep = [&](Result<store::TicketRow> r) -> Status {
      if (!r.ok()) return r.status();
      ticket = std::move(*r);
      return Status::Ok();
    };
    auto visit = [&](const auto& m) {
      return tickets::VisitReport{m.ticket_no(), m.staff_code(), m.time_ms(), m.lat(), m.lon(), m.photo_sha256()};
    };
    std::string ticket_no;
    Status result = store::savepoint(tx, "command", [&]() -> Status {
      switch (f.body_case()) {
        case vnh::v1::ClientFrame::kAccept: {
          ticket_no = f.accept().ticket_no();
          VNH_RETURN_IF_ERROR(keep(svc.accept(tx, firm_id_, ticket_no, actor)));
          // The accepting firm gets the whole card it needs to reach the door (audited).
          auto row = store::get_elder(db, ticket->elder_id);
          auto secrets = store::decrypt_elder(db, crypto, ticket->elder_id);
          if (!row.ok() || !*row || !secrets.ok()) return internal("cannot read the elder's card");
          vnh::v1::Elder e;
          e.set_elder_id(store::elder_public_id(ticket->elder_id));
          e.set_name((*row)->name);
          e.set_id_number_masked((*row)->id_number_masked);
          e.set_phone(secrets->phones.empty() ? "" : secrets->phones.front());
          e.set_community_code((*row)->community_code);
          e.set_lat((*row)->lat);
          e.set_lon((*row)->lon);
          e.set_category(std::string(domain::to_string((*row)->category)));
          e.set_address(secrets->address);
          elder = e;
          return store::append_audit(db, hub_.clock_.now_ms(),
                                     {actor.name, "elder.view_whole", "elder:" + e.elder_id(),
                                      tickets::json_detail({{"reason", "accepted ticket " + ticket_no}})});
        }
        case vnh::v1::ClientFrame::kDecline:
          ticket_no = f.decline().ticket_no();
          return keep(svc.decline(tx, firm_id_, ticket_no, f.decline().reason(), actor));
        case vnh::v1::ClientFrame::kAssign:
          ticket_no = f.assign().ticket_no();
          return keep(svc.assign_staff(tx, firm_id_, ticket_no, f.assign().staff_code(), actor));
        case vnh::v1::ClientFrame::kCheckIn:
          ticket_no = f.check_in().ticket_no();
          return keep(svc.check_in(tx, firm_id_, visit(f.check_in()), actor));
        case vnh::v1::ClientFrame::kCheckOut:
          ticket_no = f.check_out().ticket_no();
          return keep(svc.check_out(tx, firm_id_, visit(f.check_out()), actor));
        case vnh::v1::ClientFrame::kLocation: {
          const auto& l = f.location();
          if (!valid_lat_lon(l.lat(), l.lon())) return invalid("lat", "is not a WGS-84 position");
          auto st = db.prepare(
              "UPDATE staff SET last_lat = ?, last_lon = ?, last_seen_at = ? WHERE firm_id = ? AND code = ?");
          if (!st.ok()) return st.status();
          VNH_RETURN_IF_ERROR(st->bind_all(l.lat(), l.lon(), l.time_ms(), firm_id_, l.staff_code()).run());
          if (db.changes() == 0) {
            return Status(Code::kNotFound, l.staff_code() + " is not a worker of your firm", "staff_code", "unknown_staff");
          }
          return Status::Ok();
        }
        default:
          return Status(Code::kInvalidArgument, "unknown message type", "", "unknown_message");
      }
    });
    if (!result.ok() && (result.code() == Code::kInternal || result.code() == Code::kUnavailable)) return result;
    auto frame = result_frame(f.request_id(), result, ticket_no,
                              ticket ? std::string(domain::to_string(ticket->state)) : "");
    if (elder) *frame.mutable_result()->mutable_elder() = *elder;
    out = serialize(frame);
    return store::insert_command_result(db, firm_id_, f.request_id(),
                                        crypto.encrypt("partner_commands.result", out), hub_.clock_.now_ms());
  }

  PartnerHub& hub_;
  const std::int64_t firm_id_;
  const std::string firm_code_;
  mutable std::mutex mu_;
  std::shared_ptr<net::WsConnection> conn_;
  std::uint64_t sent_upto_ = 0;
  std::uint64_t acked_ = 0;
  TimeMs last_send_ = 0;
  TimeMs connected_at_ = 0;
  TimeMs last_heartbeat_ = 0;
  int resend_rounds_ = 0;
  int malformed_ = 0;
  bool closed_ = false;
};

PartnerHub::PartnerHub(boost::asio::io_context& ioc, store::Store& store, tickets::Service& service,
                       const domain::Policy& policy, const Clock& clock, Events events)
    : ioc_(ioc), store_(store), service_(service), policy_(policy), clock_(clock), events_(std::move(events)),
      timer_(ioc) {}

PartnerHub::~PartnerHub() { stop(); }

net::Upgrade PartnerHub::upgrade(const net::Request& req) {
  net::Upgrade up;
  auto token = req.bearer();
  if (!token) {
    up.refusal = net::json_error(401, "unauthenticated", "send Authorization: Bearer <firm token>");
    up.refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vnh-partner\"");
    return up;
  }
  auto db = store_.read();
  if (!db.ok()) {
    up.refusal = net::json_error(503, "unavailable", "storage unavailable");
    return up;
  }
  auto firm = store::find_firm_by_token(**db, sha256_raw(*token));
  if (!firm.ok()) {
    up.refusal = net::json_error(503, "unavailable", "storage unavailable");
    return up;
  }
  if (!*firm) {
    up.refusal = net::json_error(401, "unauthenticated", "unknown or revoked firm token");
    up.refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vnh-partner\", error=\"invalid_token\"");
    return up;
  }
  if ((*firm)->status == domain::FirmStatus::kExited) {
    up.refusal = net::json_error(403, "permission_denied", "the firm has exited the programme");
    return up;
  }
  up.handler = std::make_shared<Session>(*this, (*firm)->id, (*firm)->code);
  return up;
}

void PartnerHub::attach(std::int64_t firm_id, const std::shared_ptr<Session>& s) {
  std::shared_ptr<Session> old;
  {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(firm_id);
    if (it != sessions_.end()) old = it->second;
    sessions_[firm_id] = s;
  }
  if (old) old->close(kClosePolicy, "replaced by a newer connection of the same firm");
}

void PartnerHub::detach(std::int64_t firm_id, const Session* s) {
  std::lock_guard lk(mu_);
  auto it = sessions_.find(firm_id);
  if (it != sessions_.end() && it->second.get() == s) sessions_.erase(it);
}

void PartnerHub::deliver(std::int64_t firm_id, std::uint64_t seq, std::shared_ptr<const std::string> frame) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(firm_id);
    if (it == sessions_.end()) return;  // offline: the frame waits in the outbox
    s = it->second;
  }
  s->deliver(seq, std::move(frame));
}

void PartnerHub::close_all(const std::string& reason) {
  std::map<std::int64_t, std::shared_ptr<Session>> all;
  {
    std::lock_guard lk(mu_);
    all = sessions_;
  }
  for (auto& [id, s] : all) s->close(kCloseGoingAway, reason);
}

void PartnerHub::start() { arm_timer(); }

void PartnerHub::stop() {
  std::lock_guard lk(mu_);
  stopped_ = true;
  timer_.cancel();
}

void PartnerHub::arm_timer() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_tick();
    std::lock_guard lk(mu_);
    if (!stopped_) arm_timer();
  });
}

void PartnerHub::on_tick() {
  TimeMs now = clock_.now_ms();
  std::map<std::int64_t, std::shared_ptr<Session>> all;
  {
    std::lock_guard lk(mu_);
    all = sessions_;
  }
  for (auto& [id, s] : all) s->tick(now);
  if (!events_.presence) return;
  std::vector<std::pair<std::string, Presence>> changes;
  auto db = store_.read();
  if (!db.ok()) return;
  auto firms = store::list_firms(**db);
  if (!firms.ok()) return;
  for (const auto& f : *firms) {
    Presence p = Presence::kOffline;
    if (auto it = all.find(f.id); it != all.end()) p = it->second->snapshot(now).presence;
    std::lock_guard lk(mu_);
    auto& last = reported_[f.id];
    if (last != p) {
      last = p;
      changes.emplace_back(f.code, p);
    }
  }
  for (const auto& [code, p] : changes) events_.presence(code, p);
}

std::vector<FirmPresence> PartnerHub::presence() const {
  TimeMs now = clock_.now_ms();
  std::vector<FirmPresence> out;
  std::lock_guard lk(mu_);
  for (const auto& [id, s] : sessions_) out.push_back(s->snapshot(now));
  return out;
}

Presence PartnerHub::presence_of(std::int64_t firm_id) const {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(firm_id);
    if (it == sessions_.end()) return Presence::kOffline;
    s = it->second;
  }
  return s->snapshot(clock_.now_ms()).presence;
}

Status Outbox::append(store::WriteTx& tx, std::int64_t firm_id, const std::string& kind, std::int64_t ticket_id,
                      vnh::v1::ServerFrame frame) {
  auto seq = store::next_outbox_seq(tx.db(), firm_id);
  if (!seq.ok()) return seq.status();
  frame.set_seq(*seq);
  auto data = std::make_shared<const std::string>(serialize(frame));
  VNH_RETURN_IF_ERROR(store::insert_outbox(tx.db(), {firm_id, *seq, kind, ticket_id, *data, clock_.now_ms(), 0, {}, 0}));
  // Sent only once the transaction is durable.
  tx.on_commit([this, firm_id, s = *seq, data] { hub_.deliver(firm_id, s, data); });
  return Status::Ok();
}

Status Outbox::offer(store::WriteTx& tx, const dispatcher::Offer& o) {
  return append(tx, o.firm_id, "offer", o.ticket.id, offer_frame(0, o));
}

Status Outbox::withdrawn(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t, const std::string& reason) {
  return append(tx, firm_id, "withdrawn", t.id, withdrawn_frame(0, t.ticket_no, reason));
}

Status Outbox::cancelled(store::WriteTx& tx, std::int64_t firm_id, const store::TicketRow& t, const std::string& reason) {
  return append(tx, firm_id, "cancelled", t.id, cancelled_frame(0, t.ticket_no, reason));
}

}  // namespace vnh::partners
