// Administration subcommands: vnh user …, vnh firm token …, vnh audit verify | anchor.
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/time.hpp"

#include "app/options.hpp"
#include "common/crypto.hpp"
#include "hotline/auth.hpp"
#include "store/accounts.hpp"
#include "store/audit.hpp"
#include "store/meals.hpp"
#include "store/reference.hpp"

namespace vnh::app {

namespace {

int user_add(const Args& args) {
  po::options_description desc("options");
  std::string name, role_name, db_path, display, canteen;
  desc.add_options()("name", po::value(&name)->required(), "user name")(
      "role", po::value(&role_name)->required(), "operator supervisor inspector finance admin canteen")(
      "canteen", po::value(&canteen), "the canteen's code (a canteen user only)")(
      "password-stdin", po::bool_switch(), "read the password from the first line of stdin")(
      "display-name", po::value(&display), "full name shown in the console")("db", po::value(&db_path)->required(),
                                                                             "database file (created if missing)");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (auto rc = parse_options("user add", "NAME --role ROLE --password-stdin --db FILE [--canteen CODE]", args, desc,
                              pos, vm)) {
    return *rc;
  }
  auto role = domain::parse_role(role_name);
  if (!role) return fail("user add", fmt::format("--role: '{}' is not one of {}", role_name, domain::role_names()), 2);
  if ((*role == domain::Role::kCanteen) != !canteen.empty()) {
    return fail("user add", *role == domain::Role::kCanteen ? "--canteen CODE is required for a canteen user"
                                                            : "--canteen is only for a canteen user",
                2);
  }
  if (!vm["password-stdin"].as<bool>()) {
    return fail("user add", "give the password on stdin with --password-stdin (never on the command line)", 2);
  }
  if (auto s = hotline::validate_username(name); !s.ok()) return fail("user add", s.message(), 2);
  std::string password = read_stdin_line();
  auto st = open_for_cli(db_path, true);
  if (!st.ok()) return fail("user add", st.status().message());
  auto& store = **st;
  SystemClock clock;
  auto policy = resolve_policy(store.db(), std::nullopt, current_month(clock.now_ms()));
  if (!policy.ok()) return fail("user add", policy.status().message());
  auto hash = hotline::hash_new_password(password, *policy);
  if (!hash.ok()) return fail("user add", hash.status().message(), 2);
  hotline::NewUser u{name, display, *role, *hash, std::nullopt};
  if (!canteen.empty()) {
    auto k = store::find_canteen(store.db(), canteen);
    if (!k.ok()) return fail("user add", k.status().message());
    if (!*k) return fail("user add", fmt::format("--canteen: no canteen {} (import canteens first)", canteen), 2);
    u.canteen_id = (*k)->id;
  }
  Status s = store::run_transaction(store.db(), [&](store::WriteTx& tx) {
    return hotline::insert_new_user(tx.db(), u, clock.now_ms(), cli_actor()).status();
  });
  if (!s.ok()) return fail("user add", s.message(), s.code() == Code::kAlreadyExists ? 2 : 1);
  fmt::print("user {} ({}) added\n", name, role_name);
  return 0;
}

int user_list(const Args& args) {
  po::options_description desc("options");
  std::string db_path;
  desc.add_options()("db", po::value(&db_path)->required(), "database file");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("user list", "--db FILE", args, desc, pos, vm)) return *rc;
  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail("user list", st.status().message());
  auto users = store::list_users((*st)->db());
  if (!users.ok()) return fail("user list", users.status().message());
  for (const auto& u : *users) {
    fmt::print("{:<24} {:<10} {}\n", u.username, domain::to_string(u.role), u.active ? "active" : "disabled");
  }
  return 0;
}

int user_set(const Args& args, bool change_password) {
  const char* cmd = change_password ? "user passwd" : "user disable";
  po::options_description desc("options");
  std::string name, db_path;
  desc.add_options()("name", po::value(&name)->required(), "user name")("db", po::value(&db_path)->required(),
                                                                        "database file");
  if (change_password) desc.add_options()("password-stdin", po::bool_switch(), "read the new password from stdin");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (auto rc = parse_options(cmd, "NAME --db FILE", args, desc, pos, vm)) return *rc;
  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail(cmd, st.status().message());
  auto& store = **st;
  SystemClock clock;
  auto u = store::find_user(store.db(), name);
  if (!u.ok() || !*u) return fail(cmd, fmt::format("no user '{}'", name), 2);
  std::string hash;
  if (change_password) {
    if (!vm["password-stdin"].as<bool>()) return fail(cmd, "give the password on stdin with --password-stdin", 2);
    auto policy = resolve_policy(store.db(), std::nullopt, current_month(clock.now_ms()));
    if (!policy.ok()) return fail(cmd, policy.status().message());
    auto h = hotline::hash_new_password(read_stdin_line(), *policy);
    if (!h.ok()) return fail(cmd, h.status().message(), 2);
    hash = *h;
  }
  Status s = store::run_transaction(store.db(), [&](store::WriteTx& tx) -> Status {
    if (change_password) {
      VNH_RETURN_IF_ERROR(store::set_password_hash(tx.db(), (*u)->id, hash, clock.now_ms()));
    } else {
      VNH_RETURN_IF_ERROR(store::set_user_active(tx.db(), (*u)->id, false));
    }
    VNH_RETURN_IF_ERROR(store::revoke_user_sessions(tx.db(), (*u)->id));
    return store::append_audit(tx.db(), clock.now_ms(),
                               {cli_actor(), change_password ? "user.password" : "user.disable", "user:" + name, "{}"});
  });
  if (!s.ok()) return fail(cmd, s.message());
  fmt::print("{} {}\n", name, change_password ? "password changed; sessions revoked" : "disabled; sessions revoked");
  return 0;
}

}  // namespace

int cmd_user(const Args& args) {
  std::string sub = args.empty() ? "" : args[0];
  Args rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (sub == "add") return user_add(rest);
  if (sub == "list") return user_list(rest);
  if (sub == "passwd") return user_set(rest, true);
  if (sub == "disable") return user_set(rest, false);
  return fail("user", "usage: vnh user add|list|passwd|disable … (see --help of each)", 2);
}

int cmd_firm(const Args& args) {
  if (args.empty() || args[0] != "token") return fail("firm", "usage: vnh firm token FIRM_CODE --db FILE [--revoke]", 2);
  Args rest(args.begin() + 1, args.end());
  po::options_description desc("options");
  std::string code, db_path;
  desc.add_options()("firm", po::value(&code)->required(), "firm code")("db", po::value(&db_path)->required(),
                                                                        "database file")(
      "revoke", po::bool_switch(), "revoke the firm's token without issuing a new one");
  po::positional_options_description pos;
  pos.add("firm", 1);
  po::variables_map vm;
  if (auto rc = parse_options("firm token", "FIRM_CODE --db FILE [--revoke]", rest, desc, pos, vm)) return *rc;
  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail("firm token", st.status().message());
  auto& store = **st;
  auto firm = store::find_firm(store.db(), code);
  if (!firm.ok()) return fail("firm token", firm.status().message());
  if (!*firm) return fail("firm token", fmt::format("no firm '{}'", code), 2);
  bool revoke = vm["revoke"].as<bool>();
  std::string token;
  SystemClock clock;
  Status s = store::run_transaction(store.db(), [&](store::WriteTx& tx) -> Status {
    VNH_ASSIGN_OR_RETURN(token, store::issue_firm_token(tx.db(), **firm, cli_actor(), clock.now_ms(), revoke));
    return Status::Ok();
  });
  if (!s.ok()) return fail("firm token", s.message());
  if (revoke) {
    fmt::print("token of {} revoked\n", code);
  } else {
    fmt::print("{}\n", token);
    fmt::print(stderr, "new partner token for {} (shown once; the previous token no longer works)\n", code);
  }
  return 0;
}

namespace {
const TimeZone& shanghai() {
  static const auto tz = *TimeZone::load("Asia/Shanghai");  // falls back to +08:00: never fails
  return *tz;
}

std::string describe(const store::AuditRow& r) {
  return fmt::format("entry {} ({} by {}: {} {})", r.id, format_time(r.at, shanghai()), r.entry.actor,
                     r.entry.action, r.entry.subject);
}

// A head recorded earlier must still be the hash of its entry. An entry number of 0 (a bare
// --expect-head) means "any entry".
std::optional<std::string> check_head(store::Database& db, const store::AuditReport& rep, std::int64_t entry,
                                      std::string hash) {
  for (auto& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (entry == 0) {
    auto found = store::audit_id_of_hash(db, hash);
    if (found.ok() && *found) return std::nullopt;
    return fmt::format("the expected head {} is not in the log: entries were removed from its end or rewritten",
                       hash);
  }
  if (entry > rep.head_id) {
    return fmt::format("the anchored entry {} is not in the log (it ends at entry {}): entries were removed from its end",
                       entry, rep.head_id);
  }
  auto h = store::audit_hash_of(db, entry);
  if (!h.ok() || !*h || **h != hash) {
    return fmt::format("entry {} no longer has the anchored hash {}: the log was rewritten up to there", entry, hash);
  }
  return std::nullopt;
}

struct Anchor {
  std::int64_t entry = 0;
  std::string head;
};

// Lines as `vnh audit anchor` appends them: `<time> entry <N> head <64 hex>`.
Result<std::vector<Anchor>> read_anchors(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found(fmt::format("{}: cannot be read", path));
  std::vector<Anchor> out;
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string when, w1, w2;
    Anchor a;
    ss >> when >> w1 >> a.entry >> w2 >> a.head;
    if (!ss || w1 != "entry" || w2 != "head" || a.entry <= 0 || a.head.size() != 64) {
      return invalid("anchors", fmt::format("{}:{}: not `<time> entry <N> head <64 hex>`", path, no));
    }
    out.push_back(std::move(a));
  }
  return out;
}

int audit_verify(const Args& rest) {
  po::options_description desc("options");
  std::string db_path, expect, anchors;
  desc.add_options()("db", po::value(&db_path)->required(), "database file")(
      "expect-head", po::value(&expect), "a head hash recorded earlier (detects entries removed from the end)")(
      "anchors", po::value(&anchors), "a file of heads written by `vnh audit anchor`: each must still hold");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("audit verify", "--db FILE [--expect-head HASH] [--anchors FILE]", rest, desc, pos, vm)) {
    return *rc;
  }
  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail("audit verify", st.status().message());
  auto& db = (*st)->db();
  auto rep = store::verify_audit(db);
  if (!rep.ok()) return fail("audit verify", rep.status().message());
  std::vector<std::string> broken;
  if (!rep->intact) {
    std::string what = rep->problem;
    if (rep->first_bad) what += fmt::format("; as stored it reads {}", describe(*rep->first_bad));
    broken.push_back(what);
    broken.push_back(fmt::format("the {} entries before it verify; the last of them is entry {}, head {}",
                                 rep->entries, rep->head_id, rep->head_hash_hex));
  }
  if (!expect.empty()) {
    if (auto p = check_head(db, *rep, 0, expect)) broken.push_back(*p);
  }
  if (!anchors.empty()) {
    auto list = read_anchors(anchors);
    if (!list.ok()) return fail("audit verify", list.status().message(), 2);
    for (const auto& a : *list) {
      if (auto p = check_head(db, *rep, a.entry, a.head)) broken.push_back(*p);
    }
  }
  if (!broken.empty()) {
    fmt::print("audit log BROKEN\n");
    for (const auto& b : broken) fmt::print("  {}\n", b);
    return 1;
  }
  fmt::print("audit log intact: {} entries, head {} (entry {})\n", rep->entries, rep->head_hash_hex, rep->head_id);
  return 0;
}

int audit_anchor(const Args& rest) {
  po::options_description desc("options");
  std::string db_path, to;
  desc.add_options()("db", po::value(&db_path)->required(), "database file")(
      "to", po::value(&to), "also append the anchor line to this file (keep it off this machine)");
  po::positional_options_description pos;
  po::variables_map vm;
  if (auto rc = parse_options("audit anchor", "--db FILE [--to FILE]", rest, desc, pos, vm)) return *rc;
  auto st = open_for_cli(db_path, false);
  if (!st.ok()) return fail("audit anchor", st.status().message());
  auto& db = (*st)->db();
  auto rep = store::verify_audit(db);
  if (!rep.ok()) return fail("audit anchor", rep.status().message());
  if (!rep->intact) return fail("audit anchor", "the log is broken (" + rep->problem + "); run vnh audit verify");
  if (rep->head_id == 0) return fail("audit anchor", "the log is empty: nothing to anchor", 2);
  SystemClock clock;
  std::string line = fmt::format("{} entry {} head {}", format_time(clock.now_ms(), shanghai()),
                                 rep->head_id, rep->head_hash_hex);
  if (!to.empty()) {
    mode_t old = ::umask(077);
    std::ofstream out(to, std::ios::app);
    out << line << "\n";
    ::umask(old);
    if (!out) return fail("audit anchor", fmt::format("{}: cannot be written", to));
  }
  // The log says when it was anchored (the anchor names the head before this entry).
  Status s = store::run_transaction(db, [&](store::WriteTx& tx) {
    return store::append_audit(tx.db(), clock.now_ms(),
                               {cli_actor(), "audit.anchor", "audit_log",
                                store::json_detail({{"entry", std::to_string(rep->head_id)},
                                                    {"head", rep->head_hash_hex}})});
  });
  if (!s.ok()) return fail("audit anchor", s.message());
  fmt::print("{}\n", line);
  fmt::print(stderr, "record this line somewhere the database's owner cannot change (paper, another system); "
                     "`vnh audit verify --anchors FILE` checks it\n");
  return 0;
}
}  // namespace

int cmd_audit(const Args& args) {
  const char* usage = "usage: vnh audit verify --db FILE [--expect-head HASH] [--anchors FILE] | vnh audit anchor --db FILE [--to FILE]";
  if (args.empty()) return fail("audit", usage, 2);
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "verify") return audit_verify(rest);
  if (args[0] == "anchor") return audit_anchor(rest);
  return fail("audit", usage, 2);
}

}  // namespace vnh::app
