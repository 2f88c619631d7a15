#include "sim/firm_agent.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace vnh::sim {

namespace {
std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
std::string photo_digest(const std::string& seed) {
  // A stand-in photo digest: 64 hex characters derived from the ticket and time.
  std::string out;
  std::uint64_t h = 1469598103934665603ULL;
  for (int round = 0; out.size() < 64; ++round) {
    for (char c : seed) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h ^= static_cast<std::uint64_t>(round);
    out += fmt::format("{:016x}", h);
  }
  return out.substr(0, 64);
}
}  // namespace

FirmAgent::FirmAgent(boost::asio::io_context& ioc, Endpoint ep, std::string token, std::string firm_code,
                     std::vector<std::string> staff, AgentBehaviour b)
    : strand_(boost::asio::make_strand(ioc)), ioc_(ioc), ep_(std::move(ep)), token_(std::move(token)),
      firm_code_(std::move(firm_code)), staff_(std::move(staff)), b_(b), rng_(b.seed) {}

void FirmAgent::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->connect();
    self->heartbeat();
  });
}

void FirmAgent::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    if (self->heartbeat_timer_) self->heartbeat_timer_->cancel();
    if (self->client_) self->client_->close();
  });
}

std::set<std::string> FirmAgent::offered_tickets() const {
  std::lock_guard lk(seen_mu_);
  return seen_offers_;
}

double FirmAgent::uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }

void FirmAgent::say(const std::string& s) {
  if (log) log(fmt::format("[{}] {}", firm_code_, s));
}

void FirmAgent::after(double real_seconds, std::function<void()> f) {
  auto t = std::make_shared<boost::asio::steady_timer>(strand_);
  t->expires_after(std::chrono::milliseconds(static_cast<std::int64_t>(real_seconds * 1000)));
  t->async_wait([t, f = std::move(f), self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->stopped_) f();
  });
}

void FirmAgent::connect() {
  if (stopped_) return;
  auto client = std::make_shared<PartnerClient>(ioc_, ep_, token_);
  client_ = client;
  std::weak_ptr<FirmAgent> weak = shared_from_this();
  std::weak_ptr<PartnerClient> mine = client;
  // Events of a connection that has since been replaced are ignored.
  auto on_strand = [weak, mine](auto fn) {
    return [weak, mine, fn](auto&&... args) {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->strand_, [self, mine, fn, args...]() mutable {
        auto current = mine.lock();
        if (!current || self->client_ != current) return;
        fn(*self, args...);
      });
    };
  };
  client->on_open = on_strand([](FirmAgent& a) {
    ++a.stats_.connects;
    a.connected_at_ = std::chrono::steady_clock::now();
    a.say("connected");
    for (auto& [rid, p] : a.pending_) a.client_->send(p.frame);
  });
  client->on_frame = on_strand([](FirmAgent& a, vnh::v1::ServerFrame f) { a.on_frame(f); });
  client->on_close = on_strand([](FirmAgent& a, std::string why, int status) {
    a.say(fmt::format("disconnected: {}{}", why, status ? fmt::format(" (HTTP {})", status) : ""));
    if (status == 401 || status == 403) {
      a.say("the token was refused; not reconnecting");
      for (auto& [rid, p] : a.pending_) {
        vnh::v1::CommandResult r;
        r.set_request_id(rid);
        r.set_ok(false);
        r.set_error_code("disconnected");
        p.done(r);
      }
      a.pending_.clear();
      return;
    }
    a.after(std::max(0.05, a.b_.offline_s), [&a] { a.connect(); });
  });
  client->connect();
}

void FirmAgent::heartbeat() {
  heartbeat_timer_ = std::make_shared<boost::asio::steady_timer>(strand_);
  heartbeat_timer_->expires_after(std::chrono::seconds(b_.heartbeat_s));
  heartbeat_timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    if (self->client_ && self->client_->open()) {
      vnh::v1::ClientFrame f;
      f.mutable_ping()->set_time_ms(wall_ms());
      self->client_->send(f);
    }
    self->heartbeat();
  });
}

void FirmAgent::command(vnh::v1::ClientFrame f, std::function<void(const vnh::v1::CommandResult&)> done) {
  std::string rid = fmt::format("{}-{}-{}", firm_code_, b_.seed, next_request_++);
  f.set_request_id(rid);
  pending_[rid] = Pending{f, std::move(done)};
  if (client_ && client_->open()) client_->send(f);
}

void FirmAgent::on_frame(const vnh::v1::ServerFrame& f) {
  if (f.has_welcome()) {
    if (firm_code_.empty()) firm_code_ = f.welcome().firm_code();
    say(fmt::format("welcome {}, server holds acks up to seq {}", f.welcome().firm_code(), f.welcome().acked_seq()));
    return;
  }
  if (f.has_result()) {
    auto it = pending_.find(f.result().request_id());
    if (it == pending_.end()) return;
    auto done = std::move(it->second.done);
    pending_.erase(it);
    if (!f.result().ok()) ++stats_.errors;
    done(f.result());
    return;
  }
  if (f.seq() > 0) {
    if (f.seq() <= highest_seq_) {
      ++stats_.duplicates;  // a re-send after a lost ack: already handled
    }
    bool fresh = f.seq() > highest_seq_;
    const bool may_drop =
        b_.drop_prob > 0 &&
        std::chrono::steady_clock::now() - connected_at_ >= std::chrono::duration<double>(b_.min_online_s);
    if (fresh && f.has_offer() && may_drop && uniform(0, 1) < b_.drop_prob) {
      // Lose the link before the ack: the server must re-send this offer on reconnect. Frames
      // already queued behind it belong to the lost link and are ignored with it.
      ++stats_.drops;
      say(fmt::format("dropping the link before acking seq {}", f.seq()));
      auto lost = std::move(client_);
      lost->drop();
      after(std::max(0.05, b_.offline_s), [this] { connect(); });
      return;
    }
    if (b_.ack) {
      vnh::v1::ClientFrame ack;
      ack.mutable_ack()->set_seq(f.seq());
      client_->send(ack);
    }
    if (!fresh) return;
    highest_seq_ = f.seq();
  }
  if (f.has_offer()) {
    handle_offer(f.offer());
  } else if (f.has_withdrawn()) {
    ++stats_.withdrawn;
    say(fmt::format("offer {} withdrawn ({})", f.withdrawn().ticket_no(), f.withdrawn().reason()));
  } else if (f.has_cancelled()) {
    ++stats_.cancelled;
    durations_.erase(f.cancelled().ticket_no());
    say(fmt::format("ticket {} cancelled ({})", f.cancelled().ticket_no(), f.cancelled().reason()));
  }
}

void FirmAgent::handle_offer(const vnh::v1::TicketOffer& o) {
  ++stats_.offers;
  {
    std::lock_guard lk(seen_mu_);
    seen_offers_.insert(o.ticket_no());
  }
  std::int64_t now = wall_ms();
  if (on_offer) on_offer(o, now);
  durations_[o.ticket_no()] = o.item().duration_min();
  say(fmt::format("offer {} {} {} {} ({:.1f} km, answer by {}s)", o.ticket_no(), o.item_code(), o.item().name(),
                  o.urgency(), o.distance_m() / 1000.0, (o.accept_by_ms() - now) / 1000));
  auto self = shared_from_this();
  auto decide = [self, o](bool yes) {
    boost::asio::post(self->strand_, [self, o, yes] {
      vnh::v1::ClientFrame f;
      if (yes) {
        f.mutable_accept()->set_ticket_no(o.ticket_no());
      } else {
        f.mutable_decline()->set_ticket_no(o.ticket_no());
        f.mutable_decline()->set_reason("no worker free");
      }
      self->command(f, [self, o, yes](const vnh::v1::CommandResult& r) {
        if (self->on_result) self->on_result(o.ticket_no(), r);
        if (!r.ok()) {
          self->say(fmt::format("{} {} refused: {} {}", yes ? "accept" : "decline", o.ticket_no(), r.error_code(), r.message()));
          return;
        }
        if (!yes) {
          ++self->stats_.declined;
          self->say(fmt::format("declined {}", o.ticket_no()));
          return;
        }
        ++self->stats_.accepted;
        self->say(fmt::format("accepted {} — {} {}", o.ticket_no(), r.elder().name(), r.elder().phone()));
        if (self->b_.visits) self->visit(o.ticket_no(), r.elder(), o.item().duration_min());
      });
    });
  };
  if (ask) {
    ask(o, decide);
    return;
  }
  bool yes = uniform(0, 1) < b_.accept_prob;
  after(uniform(b_.think_min_s, b_.think_max_s), [decide, yes] { decide(yes); });
}

void FirmAgent::report_location(const std::string& staff, double lat, double lon) {
  vnh::v1::ClientFrame f;
  auto* l = f.mutable_location();
  l->set_staff_code(staff);
  l->set_time_ms(wall_ms());
  l->set_lat(lat);
  l->set_lon(lon);
  command(f, [this, staff](const vnh::v1::CommandResult& r) {
    if (!r.ok()) say(fmt::format("location of {} refused: {}", staff, r.error_code()));
  });
}

void FirmAgent::visit(const std::string& ticket_no, const vnh::v1::Elder& elder, int duration_min) {
  std::string staff = staff_.empty() ? "W1" : staff_[std::uniform_int_distribution<size_t>(0, staff_.size() - 1)(rng_)];
  vnh::v1::ClientFrame assign;
  assign.mutable_assign()->set_ticket_no(ticket_no);
  assign.mutable_assign()->set_staff_code(staff);
  command(assign, [](const vnh::v1::CommandResult&) {});
  const double travel_sim = uniform(b_.travel_min_s, b_.travel_max_s);
  double travel = travel_sim / b_.time_scale;
  bool far = uniform(0, 1) < b_.far_checkin_prob;
  bool early = uniform(0, 1) < b_.short_visit_prob;
  double lat = elder.lat() + (far ? 0.006 : uniform(-0.0004, 0.0004));
  double lon = elder.lon() + uniform(-0.0004, 0.0004);
  // On the way: from where the worker last was (or a kilometre or two off, the first time),
  // a position every location_every_s of simulated time, at most ten.
  if (b_.location_every_s > 0) {
    auto from = where_.find(staff);
    const double lat0 = from != where_.end() ? from->second.first : elder.lat() + uniform(-0.015, 0.015);
    const double lon0 = from != where_.end() ? from->second.second : elder.lon() + uniform(-0.015, 0.015);
    const int steps = std::min(10, static_cast<int>(travel_sim / b_.location_every_s));
    for (int i = 1; i <= steps; ++i) {
      const double f = static_cast<double>(i) / (steps + 1);
      after(travel * f, [this, staff, lat = lat0 + (lat - lat0) * f, lon = lon0 + (lon - lon0) * f] {
        report_location(staff, lat, lon);
      });
    }
  }
  where_[staff] = {lat, lon};
  after(travel, [this, ticket_no, staff, lat, lon, duration_min, early] {
    vnh::v1::ClientFrame in;
    auto* ci = in.mutable_check_in();
    ci->set_ticket_no(ticket_no);
    ci->set_staff_code(staff);
    ci->set_time_ms(wall_ms());
    ci->set_lat(lat);
    ci->set_lon(lon);
    ci->set_photo_sha256(photo_digest(ticket_no + "in"));
    command(in, [this, ticket_no, staff, lat, lon, duration_min, early](const vnh::v1::CommandResult& r) {
      if (!r.ok()) return say(fmt::format("check-in {} refused: {}", ticket_no, r.error_code()));
      say(fmt::format("checked in {} ({})", ticket_no, staff));
      double stay = duration_min * 60.0 * (early ? 0.1 : uniform(0.8, 1.3)) / b_.time_scale;
      after(stay, [this, ticket_no, staff, lat, lon] {
        vnh::v1::ClientFrame out;
        auto* co = out.mutable_check_out();
        co->set_ticket_no(ticket_no);
        co->set_staff_code(staff);
        co->set_time_ms(wall_ms());
        co->set_lat(lat);
        co->set_lon(lon);
        co->set_photo_sha256(photo_digest(ticket_no + "out"));
        command(out, [this, ticket_no](const vnh::v1::CommandResult& r) {
          if (!r.ok()) return say(fmt::format("check-out {} refused: {}", ticket_no, r.error_code()));
          ++stats_.completed;
          if (on_completed) on_completed(ticket_no);
          say(fmt::format("checked out {}", ticket_no));
        });
      });
    });
  });
}

}  // namespace vnh::sim
