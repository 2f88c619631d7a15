#include "store/personal.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <charconv>

#include "store/sqlite.hpp"

namespace vnh::store {

namespace {
constexpr std::string_view kHomeColumn = "elders.home";
constexpr std::string_view kIdColumn = "elders.id_number";

bool parse_double(std::string_view s, double& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string_view arg_blob(sqlite3_value* v) {
  const auto* p = static_cast<const char*>(sqlite3_value_blob(v));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(v))) : std::string_view();
}

const FieldCrypto& keys_of(sqlite3_context* ctx) { return *static_cast<const FieldCrypto*>(sqlite3_user_data(ctx)); }

void fail(sqlite3_context* ctx, const Status& s) {
  std::string m = s.message();
  sqlite3_result_error(ctx, m.data(), static_cast<int>(m.size()));
}

void sql_birth_date(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto d = birth_date_of(keys_of(ctx), arg_blob(argv[0]));
  if (!d.ok()) return fail(ctx, d.status());
  sqlite3_result_text(ctx, d->data(), static_cast<int>(d->size()), SQLITE_TRANSIENT);
}

void sql_home(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto h = open_home(keys_of(ctx), arg_blob(argv[0]));
  if (!h.ok()) return fail(ctx, h.status());
  sqlite3_result_double(ctx, sqlite3_value_int(argv[1]) == 0 ? h->first : h->second);
}

void sql_seal_home(sqlite3_context* ctx, int, sqlite3_value** argv) {
  std::string b = seal_home(keys_of(ctx), sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]));
  sqlite3_result_blob(ctx, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
}
}  // namespace

std::string seal_home(const FieldCrypto& keys, double lat, double lon) {
  return keys.encrypt(kHomeColumn, fmt::format("{},{}", lat, lon));  // shortest text that reads back exactly
}

Result<std::pair<double, double>> open_home(const FieldCrypto& keys, std::string_view blob) {
  VNH_ASSIGN_OR_RETURN(auto plain, keys.decrypt(kHomeColumn, blob));
  auto comma = plain.find(',');
  std::pair<double, double> p;
  if (comma == std::string::npos || !parse_double(std::string_view(plain).substr(0, comma), p.first) ||
      !parse_double(std::string_view(plain).substr(comma + 1), p.second)) {
    return internal("an encrypted home position does not hold 'lat,lon'");
  }
  return p;
}

Result<std::string> birth_date_of(const FieldCrypto& keys, std::string_view id_number_enc) {
  VNH_ASSIGN_OR_RETURN(auto id, keys.decrypt(kIdColumn, id_number_enc));
  if (id.size() != 18) return internal("an encrypted ID number is not 18 characters");
  return fmt::format("{}-{}-{}", id.substr(6, 4), id.substr(10, 2), id.substr(12, 2));
}

Status register_personal_functions(Database& db) {
  void* keys = const_cast<FieldCrypto*>(db.keys());
  struct Fn {
    const char* name;
    int args;
    bool deterministic;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  for (const Fn& f : {Fn{"vnh_birth_date", 1, true, sql_birth_date}, Fn{"vnh_home", 2, true, sql_home},
                      Fn{"vnh_seal_home", 2, false, sql_seal_home}}) {
    // DIRECTONLY: not callable from a trigger or view a hostile file could bring along.
    int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY | (f.deterministic ? SQLITE_DETERMINISTIC : 0);
    int rc = sqlite3_create_function_v2(db.handle(), f.name, f.args, flags, keys, f.fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return db.error(rc, fmt::format("registering {}", f.name));
  }
  return Status::Ok();
}

}  // namespace vnh::store
