#pragma once
// The operator/supervisor/inspector/finance/admin HTTP JSON API under /api/v1 (SPEC §8,
// §10; every endpoint is documented in docs/api.md). Each route declares the roles allowed
// to call it; a route registered without roles is refused to everyone (fail closed). Errors
// are mapped from Status in one place (error_response). Writes go through the Writer and
// are answered only after commit; reads use pooled read connections on the I/O threads;
// password hashing runs on the blocking pool.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/policy.hpp"
#include "hotline/auth.hpp"
#include "hotline/live.hpp"
#include "net/router.hpp"
#include "store/store.hpp"
#include "tickets/service.hpp"

namespace vnh::hotline {

struct ApiContext {
  store::Store& store;
  tickets::Service& tickets;
  const domain::Policy& policy;
  const Clock& clock;
  LiveHub& live;
  boost::asio::io_context& ioc;
  boost::asio::thread_pool& blocking;
  std::string pbx_secret;                                         // X-PBX-Secret for /calls/incoming
  FakeClock* fake_clock = nullptr;                                // set only with --fake-clock
  std::function<void()> clock_moved;                              // fire due timers after a fake advance
  std::function<std::string(std::int64_t firm_id)> presence_of;   // online / offline / unknown
  std::function<void()> firms_changed;                            // reload the dispatcher's directory
};

// Maps a Status to the HTTP status and {"error":{code,message,field}} body of SPEC §8.
net::Response error_response(const Status& st);
net::Response json_response(int status, const boost::json::value& v);

class Api {
 public:
  explicit Api(ApiContext ctx) : c_(std::move(ctx)) {}
  void install(net::Router& r);

  // A request from an authenticated principal.
  struct Call {
    net::Request req;
    net::Respond respond;
    Principal who;
  };
  using Handler = std::function<void(Call&&)>;

 private:
  void route(net::Router& r, const std::string& method, const std::string& pattern,
             std::vector<domain::Role> roles, Handler h);
  void install_auth(net::Router& r);
  void install_elders(net::Router& r);
  void install_tickets(net::Router& r);
  void install_quality(net::Router& r);
  void install_admin(net::Router& r);

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

  ApiContext c_;
  SessionCache sessions_;  // bearer tokens checked in the last second (hotline/auth.hpp)
};

// Request-body helpers: a JSON object body, and typed fields with errors naming the field.
Result<boost::json::object> parse_object(const std::string& body);
Result<std::optional<std::string>> opt_string(const boost::json::object& o, const char* field, std::size_t max_len = 1000);
Result<std::string> req_string(const boost::json::object& o, const char* field, std::size_t max_len = 1000);
Result<std::optional<double>> opt_number(const boost::json::object& o, const char* field);
Result<std::optional<std::int64_t>> opt_int(const boost::json::object& o, const char* field);
Result<std::optional<bool>> opt_bool(const boost::json::object& o, const char* field);
Result<std::optional<TimeMs>> opt_time(const boost::json::object& o, const char* field);
// Fields of `o` not in `known`, reported back as "ignored_fields" so typos are visible.
boost::json::array unknown_fields(const boost::json::object& o, std::initializer_list<const char*> known);

// Paging: ?limit= (1..500, default 50).
Result<int> limit_param(const net::Request& r, int def = 50);

}  // namespace vnh::hotline
