#pragma once
// The operator/supervisor/inspector/finance/admin HTTP JSON API under /api/v1 (SPEC §8,
// §10; every endpoint is documented in docs/api.md). Routes are tables of named handlers, one
// table per resource (hotline/routes_*.cpp); a handler parses the request, calls one service
// function (tickets/, registry/, settlement/) and renders the answer. Each route declares
// the roles allowed to call it; a route registered without roles is refused to everyone
// (fail closed) unless it is marked open, in which case the handler authenticates the caller
// itself (login, the PBX's call hook). Errors become HTTP answers in one place
// (hotline/errors.hpp). Writes go through the Writer and are answered only after commit;
// reads use pooled read connections on the I/O threads; password hashing runs on the
// blocking pool, login checks on their own (hotline/login_guard.hpp).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/policy.hpp"
#include "hotline/auth.hpp"
#include "hotline/errors.hpp"
#include "hotline/live.hpp"
#include "hotline/login_guard.hpp"
#include "hotline/map_tiles.hpp"
#include "hotline/request.hpp"
#include "calls/calls.hpp"
#include "calls/dialer.hpp"
#include "net/router.hpp"
#include "registry/elders.hpp"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace vnh::hotline {

struct ApiContext {
  store::Store& store;
  tickets::Service& tickets;
  registry::Elders& elders;
  calls::Calls& calls;
  const domain::Policy& policy;
  const Clock& clock;
  LiveHub& live;
  boost::asio::io_context& ioc;
  boost::asio::thread_pool& blocking;
  LoginDesk& logins;
  std::string pbx_secret;                                        // X-PBX-Secret for /calls/incoming
  bool fake_clock = false;                                       // serving with --fake-clock (GET /me tells)
  std::function<std::string(std::int64_t firm_id)> presence_of;  // online / offline / unknown
  std::function<void()> firms_changed;                           // reload the dispatcher's directory
  std::shared_ptr<const calls::Dialer> dialer;                   // the PBX's click-to-dial hook, if any
  MapTiles map_tiles;                                            // the command screen's base map, if any
};

class Api {
 public:
  // A request and who sent it (for an open route, nobody yet: the handler checks).
  struct Call {
    net::Request req;
    net::Respond respond;
    Principal who;
  };
  using Handle = std::function<void(Api& api, Call&& call)>;
  // One row of a route table.
  struct Route {
    const char* method;
    const char* pattern;
    std::vector<domain::Role> roles;  // who may call it; empty and not open: nobody
    Handle handle;
    bool open = false;  // no bearer token required: the handler authenticates the caller
  };

  explicit Api(ApiContext ctx) : c_(std::move(ctx)), sessions_(c_.clock) {}
  // Every resource's table.
  void install(net::Router& r);
  // One more route (the test clock of --fake-clock).
  void add(net::Router& r, const Route& route);

  const ApiContext& ctx() const { return c_; }
  SessionCache& sessions() { return sessions_; }
  // Resolves a bearer token to its principal, trusting a check of the last second.
  Result<Principal> authenticate_token(const std::string& token);

  // Runs `work` in the Writer; after commit, `render` runs on an I/O thread with a fresh
  // read connection and its response is sent. A failed job answers with its Status. When
  // `from_memory` is given and returns a response (built from what `work` kept), no read
  // connection is taken.
  template <class T>
  void write(net::Respond respond, std::function<Result<T>(store::WriteTx&)> work,
             std::function<Result<net::Response>(store::Database&, T&)> render,
             std::function<std::optional<net::Response>(T&)> from_memory = {});
  // Runs `read` on a pooled read connection and answers with its response or error.
  void read(const net::Respond& respond, const std::function<Result<net::Response>(store::Database&)>& read);

 private:
  ApiContext c_;
  SessionCache sessions_;  // bearer tokens checked in the last second (hotline/auth.hpp)
};

// The route tables, one per resource.
std::vector<Api::Route> auth_routes();        // login, logout, me, users
std::vector<Api::Route> elder_routes();       // register, search, card, change, (de)activate, reveal
std::vector<Api::Route> ticket_routes();      // create, get, list, duplicate check, cancel, re-offer, disputes
std::vector<Api::Route> call_routes();        // SPEC §11: incoming, answer, claim, hang-up, outcome, the call log
std::vector<Api::Route> callback_routes();    // the day's queue, recording a callback
std::vector<Api::Route> complaint_routes();   // file, list, investigate, close
std::vector<Api::Route> quality_routes();     // visit exceptions, inspections
std::vector<Api::Route> firm_routes();        // list, detail, status, partner token
std::vector<Api::Route> settlement_routes();  // run, list, get, adjust, approve, documents, statements
std::vector<Api::Route> meal_routes();        // SPEC §12: canteens, meal cards, the counter
std::vector<Api::Route> care_routes();        // SPEC §13–§14: deaths, care targets and visits, recurrences
std::vector<Api::Route> reference_routes();   // catalog, areas
std::vector<Api::Route> admin_routes();       // statistics, audit, consistency, import
std::vector<Api::Route> map_routes();         // SPEC §15: the live map
std::vector<Api::Route> stats_routes();       // SPEC §15: statistics

// The {elder_id} of the path (E123), and the elder card as the answer (routes_elders.cpp).
Result<std::int64_t> elder_param(const net::Request& req);
Result<net::Response> card_response(store::Database& db, const Api& api, std::int64_t id, domain::Role role, int status);

// Only with --fake-clock: POST /api/v1/admin/clock moves `clock` forward (or sets it) and
// calls `moved` so that due timers fire.
void install_test_clock(Api& api, net::Router& r, FakeClock& clock, std::function<void()> moved);

template <class T>
void Api::write(net::Respond respond, std::function<Result<T>(store::WriteTx&)> work,
                std::function<Result<net::Response>(store::Database&, T&)> render,
                std::function<std::optional<net::Response>(T&)> from_memory) {
  auto out = std::make_shared<std::optional<T>>();
  c_.store.writer().submit(
      [work = std::move(work), out](store::WriteTx& tx) -> Status {
        auto r = work(tx);
        if (!r.ok()) return r.status();
        *out = std::move(*r);
        return Status::Ok();
      },
      [this, respond = std::move(respond), render = std::move(render), from_memory = std::move(from_memory),
       out](Status st) {
        if (!st.ok()) return respond(error_response(st));
        // Render after the commit, off the writer and completer threads.
        boost::asio::post(c_.ioc, [this, respond, render, from_memory, out] {
          if (from_memory) {
            if (auto r = from_memory(**out)) return respond(std::move(*r));
          }
          read(respond, [&](store::Database& db) { return render(db, **out); });
        });
      });
}

}  // namespace vnh::hotline
