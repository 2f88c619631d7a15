// Login, logout, the caller's own profile, and user administration.
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "hotline/api_internal.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"

namespace vnh::hotline {
namespace json = boost::json;
using domain::Role;

namespace {
json::object user_json(const store::UserRow& u) {
  return json::object{{"username", u.username},
                      {"display_name", u.display_name},
                      {"role", std::string(domain::to_string(u.role))},
                      {"active", u.active}};
}
}  // namespace

void Api::install_auth(net::Router& r) {
  r.add("POST", "/api/v1/login", [this](net::Request&& req, net::Respond respond) {
    auto body = parse_object(req.body);
    if (!body.ok()) return respond(error_response(body.status()));
    auto user = req_string(*body, "username", 64);
    if (!user.ok()) return respond(error_response(user.status()));
    auto pass = req_string(*body, "password", 256);
    if (!pass.ok()) return respond(error_response(pass.status()));
    // argon2id verification is slow by design: keep it off the I/O threads.
    boost::asio::post(c_.blocking, [this, username = *user, password = *pass, remote = req.remote,
                                    respond = std::move(respond)]() mutable {
      TimeMs now = c_.clock.now_ms();
      auto db = c_.store.read();
      if (!db.ok()) return respond(error_response(db.status()));
      auto check = check_password(**db, username, password, c_.policy, now);
      if (!check.ok()) return respond(error_response(check.status()));
      auto result = std::make_shared<std::optional<Result<LoginResult>>>();
      c_.store.writer().submit(
          [this, check = *check, now, remote, result](store::WriteTx& tx) -> Status {
            // A failed login is committed too (counter, lockout, audit); the answer travels aside.
            result->emplace(record_login(tx.db(), check, c_.policy, now, remote));
            const Status& st = (*result)->status();
            return st.code() == Code::kInternal || st.code() == Code::kUnavailable ? st : Status::Ok();
          },
          [this, result, respond](Status st) {
            if (!st.ok()) return respond(error_response(st));
            const auto& r = **result;
            if (!r.ok()) return respond(error_response(r.status()));
            respond(json_response(200, json::object{{"token", r->token},
                                                    {"role", std::string(domain::to_string(r->principal.role))},
                                                    {"username", r->principal.username},
                                                    {"expires_at", format_time(r->principal.expires_at, *c_.policy.tz)}}));
          });
    });
  });

  route(r, "POST", "/api/v1/logout", {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance, Role::kAdmin},
        [this](Call&& call) {
          write<bool>(
              std::move(call.respond),
              [this, who = call.who](store::WriteTx& tx) -> Result<bool> {
                VNH_RETURN_IF_ERROR(logout(tx.db(), who, c_.clock.now_ms()));
                tx.on_commit([this] { sessions_.forget_all(); });
                return true;
              },
              [](store::Database&, bool&) -> Result<net::Response> {
                return json_response(200, json::object{{"ok", true}});
              });
        });

  route(r, "GET", "/api/v1/me", {Role::kOperator, Role::kSupervisor, Role::kInspector, Role::kFinance, Role::kAdmin},
        [this](Call&& call) {
          call.respond(json_response(200, json::object{{"username", call.who.username},
                                                       {"role", std::string(domain::to_string(call.who.role))},
                                                       {"expires_at", format_time(call.who.expires_at, *c_.policy.tz)},
                                                       {"fake_clock", c_.fake_clock != nullptr},
                                                       {"server_time", format_time(c_.clock.now_ms(), *c_.policy.tz)}}));
        });

  route(r, "GET", "/api/v1/users", {Role::kAdmin}, [this](Call&& call) {
    read(call.respond, [](store::Database& db) -> Result<net::Response> {
      auto users = store::list_users(db);
      if (!users.ok()) return users.status();
      json::array a;
      for (const auto& u : *users) a.push_back(user_json(u));
      return json_response(200, json::object{{"users", std::move(a)}});
    });
  });

  route(r, "POST", "/api/v1/users", {Role::kAdmin}, [this](Call&& call) {
    auto body = parse_object(call.req.body);
    if (!body.ok()) return call.respond(error_response(body.status()));
    auto username = req_string(*body, "username", 64);
    auto role_name = req_string(*body, "role", 16);
    auto password = req_string(*body, "password", 256);
    auto display = opt_string(*body, "display_name", 64);
    for (const Status* s : {&username.status(), &role_name.status(), &password.status(), &display.status()}) {
      if (!s->ok()) return call.respond(error_response(*s));
    }
    auto role = domain::parse_role(*role_name);
    if (!role) return call.respond(error_response(invalid("role", "must be one of " + domain::role_names())));
    if (auto s = validate_username(*username); !s.ok()) return call.respond(error_response(s));
    boost::asio::post(c_.blocking, [this, u = *username, p = *password, d = display->value_or(""), role = *role,
                                    actor = call.who.username, respond = std::move(call.respond)]() mutable {
      auto hash = hash_new_password(p, c_.policy);
      if (!hash.ok()) return respond(error_response(hash.status()));
      NewUser nu{u, d, role, *hash};
      write<std::int64_t>(
          std::move(respond),
          [this, nu, actor](store::WriteTx& tx) { return insert_new_user(tx.db(), nu, c_.clock.now_ms(), actor); },
          [u](store::Database& db, std::int64_t&) -> Result<net::Response> {
            auto row = store::find_user(db, u);
            if (!row.ok()) return row.status();
            return json_response(201, user_json(**row));
          });
    });
  });

  route(r, "POST", "/api/v1/users/{username}/disable", {Role::kAdmin}, [this](Call&& call) {
    std::string name = call.req.params["username"];
    if (name == call.who.username) {
      return call.respond(error_response(precondition("you cannot disable your own account", "self")));
    }
    write<bool>(
        std::move(call.respond),
        [this, name, actor = call.who.username](store::WriteTx& tx) -> Result<bool> {
          auto u = store::find_user(tx.db(), name);
          if (!u.ok()) return u.status();
          if (!*u) return not_found("no user " + name, "username");
          VNH_RETURN_IF_ERROR(store::set_user_active(tx.db(), (*u)->id, false));
          VNH_RETURN_IF_ERROR(store::revoke_user_sessions(tx.db(), (*u)->id));
          tx.on_commit([this] { sessions_.forget_all(); });
          VNH_RETURN_IF_ERROR(store::append_audit(tx.db(), c_.clock.now_ms(), {actor, "user.disable", "user:" + name, "{}"}));
          return true;
        },
        [name](store::Database& db, bool&) -> Result<net::Response> {
          auto row = store::find_user(db, name);
          if (!row.ok()) return row.status();
          return json_response(200, user_json(**row));
        });
  });
}

void Api::install(net::Router& r) {
  install_auth(r);
  install_elders(r);
  install_tickets(r);
  install_quality(r);
  install_admin(r);
}

}  // namespace vnh::hotline
