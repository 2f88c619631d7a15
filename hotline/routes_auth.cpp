// Login, logout, the caller's own profile, and user administration.
#include <fmt/format.h>

#include "hotline/api.hpp"
#include "store/meals.hpp"
#include "hotline/roles.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {

// A user as the admin screens show it; a canteen user with its canteen's code.
Result<json::object> user_json(store::Database& db, const store::UserRow& u) {
  json::object o{{"username", u.username},
                 {"display_name", u.display_name},
                 {"role", std::string(domain::to_string(u.role))},
                 {"active", u.active},
                 {"failed_logins", u.failed_logins}};
  if (u.canteen_id) {
    VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, *u.canteen_id));
    o["canteen_code"] = k ? json::value(k->code) : json::value(nullptr);
  }
  return o;
}

// Records a login's outcome (a failed one too: counter, audit), tells the guard and answers.
void record_and_answer(Api& api, const LoginCheck& check, TimeMs now, const std::string& remote, net::Respond respond) {
  const auto& c = api.ctx();
  auto result = std::make_shared<std::optional<Result<LoginResult>>>();
  c.store.writer().submit(
      [&c, check, now, remote, result](store::WriteTx& tx) -> Status {
        result->emplace(record_login(tx.db(), check, c.policy, now, remote));
        const Status& st = (*result)->status();
        return st.code() == Code::kInternal || st.code() == Code::kUnavailable ? st : Status::Ok();
      },
      [&c, result, respond, check, now, remote](Status st) {
        using Outcome = LoginGuard::Outcome;
        auto done = [&](Outcome how) { c.logins.guard.done(check.username, remote, how, now); };
        if (!st.ok()) {
          done(Outcome::kAbandoned);
          return respond(error_response(st));
        }
        const auto& r = **result;
        if (!r.ok()) {
          done(r.status().code() == Code::kUnauthenticated ? Outcome::kFailed : Outcome::kAbandoned);
          return respond(error_response(r.status()));
        }
        done(Outcome::kSucceeded);
        respond(json_response(200, json::object{{"token", r->token},
                                                {"role", std::string(domain::to_string(r->principal.role))},
                                                {"username", r->principal.username},
                                                {"expires_at", format_time(r->principal.expires_at, *c.policy.tz)}}));
      });
}

void login(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto user = req_string(*body, "username", 64);
  if (!user.ok()) return call.respond(error_response(user.status()));
  auto pass = req_string(*body, "password", 256);
  if (!pass.ok()) return call.respond(error_response(pass.status()));
  auto& desk = api.ctx().logins;
  // Refused before any hashing: a throttled guess costs nothing (hotline/login_guard.hpp).
  if (TimeMs wait = desk.guard.admit(*user, call.req.remote, api.ctx().clock.now_ms())) {
    ++desk.throttled;
    std::int64_t secs = (wait + 999) / 1000;
    auto r = error_response(Status(Code::kResourceExhausted,
                                   fmt::format("too many failed logins; try again in {} s", secs), "username",
                                   reason::kTooManyAttempts));
    r.headers.emplace_back("Retry-After", std::to_string(secs));
    return call.respond(std::move(r));
  }
  if (desk.waiting.fetch_add(1) >= desk.max_waiting) {
    --desk.waiting;
    ++desk.busy;
    desk.guard.done(*user, call.req.remote, LoginGuard::Outcome::kAbandoned, api.ctx().clock.now_ms());
    auto r = error_response(Status(Code::kUnavailable, "too many logins at once; try again in a second", "", reason::kBusy));
    r.headers.emplace_back("Retry-After", "1");
    return call.respond(std::move(r));
  }
  // argon2id verification is slow by design: on the login pool, off the I/O threads.
  boost::asio::post(desk.pool, [&api, username = *user, password = *pass, remote = call.req.remote,
                                respond = std::move(call.respond)]() mutable {
    const auto& c = api.ctx();
    --c.logins.waiting;
    ++c.logins.checked;
    TimeMs now = c.clock.now_ms();
    auto abandon = [&](const Status& st) {
      c.logins.guard.done(username, remote, LoginGuard::Outcome::kAbandoned, now);
      respond(error_response(st));
    };
    auto db = c.store.read();
    if (!db.ok()) return abandon(db.status());
    auto check = check_password(**db, username, password, c.policy);
    if (!check.ok()) return abandon(check.status());
    record_and_answer(api, *check, now, remote, std::move(respond));
  });
}

void logout_user(Api& api, Api::Call&& call) {
  api.write<bool>(
      std::move(call.respond),
      [&api, who = call.who](store::WriteTx& tx) -> Result<bool> {
        VNH_RETURN_IF_ERROR(logout(tx.db(), who, api.ctx().clock.now_ms()));
        tx.on_commit([&api, hash = who.token_hash] {
          api.sessions().forget_all();
          // The live channel opened with this token ends with it.
          api.ctx().live.end_sessions([&hash](const Principal& p) { return p.token_hash == hash; }, "logged out");
        });
        return true;
      },
      [](store::Database&, bool&) -> Result<net::Response> { return json_response(200, json::object{{"ok", true}}); });
}

void me(Api& api, Api::Call&& call) {
  api.read(call.respond, [&](store::Database& db) -> Result<net::Response> {
    const auto& c = api.ctx();
    json::object o{{"username", call.who.username},
                   {"role", std::string(domain::to_string(call.who.role))},
                   {"expires_at", format_time(call.who.expires_at, *c.policy.tz)},
                   {"fake_clock", c.fake_clock},
                   {"server_time", format_time(c.clock.now_ms(), *c.policy.tz)}};
    if (call.who.canteen_id) {
      // A canteen user's counter: which canteen, and the slot prices it charges.
      VNH_ASSIGN_OR_RETURN(auto k, store::get_canteen(db, *call.who.canteen_id));
      if (k) o["canteen"] = json::object{{"code", k->code}, {"name", k->name}, {"status", std::string(to_string(k->status))}};
    }
    return json_response(200, std::move(o));
  });
}

void list_users(Api& api, Api::Call&& call) {
  api.read(call.respond, [](store::Database& db) -> Result<net::Response> {
    VNH_ASSIGN_OR_RETURN(auto users, store::list_users(db));
    json::array a;
    for (const auto& u : users) {
      VNH_ASSIGN_OR_RETURN(auto o, user_json(db, u));
      a.push_back(std::move(o));
    }
    return json_response(200, json::object{{"users", std::move(a)}});
  });
}

// Hashes on the blocking pool, then inserts through the Writer.
void add_user(Api& api, Api::Call&& call) {
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto username = req_string(*body, "username", 64);
  auto role_name = req_string(*body, "role", 16);
  auto password = req_string(*body, "password", 256);
  auto display = opt_string(*body, "display_name", 64);
  auto canteen = opt_string(*body, "canteen_code", 32);
  for (const Status* s : {&username.status(), &role_name.status(), &password.status(), &display.status(),
                          &canteen.status()}) {
    if (!s->ok()) return call.respond(error_response(*s));
  }
  auto role = domain::parse_role(*role_name);
  if (!role) return call.respond(error_response(invalid("role", "must be one of " + domain::role_names())));
  if (auto s = validate_username(*username); !s.ok()) return call.respond(error_response(s));
  boost::asio::post(api.ctx().blocking, [&api, u = *username, p = *password, d = display->value_or(""), role = *role,
                                         canteen = *canteen, actor = call.who.username,
                                         respond = std::move(call.respond)]() mutable {
    auto hash = hash_new_password(p, api.ctx().policy);
    if (!hash.ok()) return respond(error_response(hash.status()));
    NewUser nu{u, d, role, *hash, std::nullopt};
    api.write<std::int64_t>(
        std::move(respond),
        [&api, nu, canteen, actor](store::WriteTx& tx) mutable -> Result<std::int64_t> {
          if (canteen) {
            VNH_ASSIGN_OR_RETURN(auto k, store::find_canteen(tx.db(), *canteen));
            if (!k) return not_found("no canteen " + *canteen, "canteen_code");
            nu.canteen_id = k->id;
          }
          return insert_new_user(tx.db(), nu, api.ctx().clock.now_ms(), actor);
        },
        [u](store::Database& db, std::int64_t&) -> Result<net::Response> {
          auto row = store::find_user(db, u);
          if (!row.ok()) return row.status();
          VNH_ASSIGN_OR_RETURN(auto o, user_json(db, **row));
          return json_response(201, std::move(o));
        });
  });
}

// Answers with the user as it now is.
Result<net::Response> user_answer(store::Database& db, const std::string& name) {
  VNH_ASSIGN_OR_RETURN(auto row, store::find_user(db, name));
  if (!row) return not_found("no user " + name, "username");
  VNH_ASSIGN_OR_RETURN(auto o, user_json(db, *row));
  return json_response(200, std::move(o));
}

// After a commit that revoked a user's sessions: no cached check trusts them any longer and
// their open consoles are told why they were signed out.
void end_user_sessions(Api& api, const std::string& name, const char* why) {
  api.sessions().forget_all();
  api.ctx().live.end_sessions([&name](const Principal& p) { return p.username == name; }, why);
}

void disable(Api& api, Api::Call&& call) {
  std::string name = call.req.params["username"];
  if (name == call.who.username) {
    return call.respond(error_response(precondition("you cannot disable your own account", reason::kSelf)));
  }
  api.write<bool>(
      std::move(call.respond),
      [&api, name, actor = call.who.username](store::WriteTx& tx) -> Result<bool> {
        VNH_RETURN_IF_ERROR(disable_user(tx.db(), name, actor, api.ctx().clock.now_ms()));
        tx.on_commit([&api, name] { end_user_sessions(api, name, "user disabled"); });
        return true;
      },
      [name](store::Database& db, bool&) { return user_answer(db, name); });
}

// Re-enables a disabled user (audited); the failed logins counted against the name are forgiven.
void enable(Api& api, Api::Call&& call) {
  std::string name = call.req.params["username"];
  api.write<bool>(
      std::move(call.respond),
      [&api, name, actor = call.who.username](store::WriteTx& tx) -> Result<bool> {
        VNH_ASSIGN_OR_RETURN(auto u, store::find_user(tx.db(), name));
        if (!u) return not_found("no user " + name, "username");
        if (u->active) return false;
        VNH_RETURN_IF_ERROR(store::set_user_active(tx.db(), u->id, true));
        VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), api.ctx().clock.now_ms(), {actor, "user.enable", "user:" + name, "{}"}));
        tx.on_commit([&api, name] { api.ctx().logins.guard.forgive(name); });
        return true;
      },
      [name](store::Database& db, bool&) { return user_answer(db, name); });
}

// An administrator sets a new password ({"password"}): hashed on the blocking pool, every session
// of the user revoked (their consoles signed out), failed logins forgiven, audited.
void reset_password(Api& api, Api::Call&& call) {
  std::string name = call.req.params["username"];
  auto body = parse_object(call.req.body);
  if (!body.ok()) return call.respond(error_response(body.status()));
  auto password = req_string(*body, "password", 256);
  if (!password.ok()) return call.respond(error_response(password.status()));
  boost::asio::post(api.ctx().blocking, [&api, name, p = *password, actor = call.who.username,
                                         respond = std::move(call.respond)]() mutable {
    auto hash = hash_new_password(p, api.ctx().policy);
    if (!hash.ok()) return respond(error_response(hash.status()));
    api.write<bool>(
        std::move(respond),
        [&api, name, hash = *hash, actor](store::WriteTx& tx) -> Result<bool> {
          const TimeMs now = api.ctx().clock.now_ms();
          VNH_ASSIGN_OR_RETURN(auto u, store::find_user(tx.db(), name));
          if (!u) return not_found("no user " + name, "username");
          VNH_RETURN_IF_ERROR(store::set_password_hash(tx.db(), u->id, hash, now));
          VNH_RETURN_IF_ERROR(store::revoke_user_sessions(tx.db(), u->id));
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), now, {actor, "user.password", "user:" + name, "{}"}));
          tx.on_commit([&api, name] {
            api.ctx().logins.guard.forgive(name);
            end_user_sessions(api, name, "password reset");
          });
          return true;
        },
        [name](store::Database& db, bool&) { return user_answer(db, name); });
  });
}

}  // namespace

std::vector<Api::Route> auth_routes() {
  return {
      {"POST", "/api/v1/login", {}, login, true},
      {"POST", "/api/v1/logout", roles::kAnyRole, logout_user},
      {"GET", "/api/v1/me", roles::kAnyRole, me},
      {"GET", "/api/v1/users", roles::kAdmin, list_users},
      {"POST", "/api/v1/users", roles::kAdmin, add_user},
      {"POST", "/api/v1/users/{username}/disable", roles::kAdmin, disable},
      {"POST", "/api/v1/users/{username}/enable", roles::kAdmin, enable},
      {"POST", "/api/v1/users/{username}/password", roles::kAdmin, reset_password},
  };
}

}  // namespace vnh::hotline
