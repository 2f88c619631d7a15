// `vnh import area-shapes FILE.geojson` (SPEC §15): the street and community outlines the
// command screen's map draws. A GeoJSON FeatureCollection; each feature's `properties.code` is
// an area code already in the register, its geometry a Polygon or MultiPolygon in WGS-84
// (longitude, latitude) with closed rings inside China. All or nothing, like every import; an
// error names its place in the file (line:column of the feature, and the JSON path).
#include <boost/json.hpp>
#include <fmt/format.h>

#include <set>

#include "common/crypto.hpp"
#include "importer/importer.hpp"
#include "store/audit.hpp"
#include "store/map.hpp"
#include "store/reference.hpp"
#include "store/writer.hpp"

namespace vnh::importer {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxFeatures = 20'000;
constexpr std::size_t kMaxPositions = 5'000'000;

// Line and column (1-based) of byte `offset` in `text`.
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;  // count characters, not UTF-8 continuation bytes
    }
  }
  return {line, col};
}

// Where each element of the top-level object's "features" array starts (byte offsets), found
// by a scan that knows strings and nesting: Boost.JSON's DOM keeps no positions.
std::vector<std::size_t> feature_offsets(std::string_view text) {
  std::vector<std::size_t> out;
  int depth = 0;
  bool in_string = false, after_features_key = false, in_features = false;
  std::size_t key_start = 0;
  std::string last_key;
  bool expect_element = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_string = false;
        if (depth == 1) last_key = std::string(text.substr(key_start, i - key_start));
      }
      continue;
    }
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
    if (in_features && depth == 2 && expect_element && ch != ']') {
      out.push_back(i);
      expect_element = false;
    }
    switch (ch) {
      case '"':
        in_string = true;
        key_start = i + 1;
        break;
      case ':':
        if (depth == 1) after_features_key = last_key == "features";
        break;
      case '{':
        ++depth;
        break;
      case '[':
        ++depth;
        if (depth == 2 && after_features_key) {
          in_features = true;
          expect_element = true;
        }
        break;
      case '}':
        --depth;
        break;
      case ']':
        if (depth == 2 && in_features) in_features = false;
        --depth;
        break;
      case ',':
        if (in_features && depth == 2) expect_element = true;
        if (depth == 1) after_features_key = false;
        break;
      default:
        break;
    }
  }
  return out;
}

struct Checker {
  std::string_view text;
  std::vector<std::size_t> starts;
  ImportReport& rep;
  std::size_t positions = 0;

  void error(std::size_t feature, const std::string& path, Problem p, std::string reason) {
    const std::size_t line = feature < starts.size() ? line_col(text, starts[feature]).first : 1;
    rep.errors.push_back({line, fmt::format("features[{}]{}", feature, path), std::move(reason), p});
  }

  // A ring: at least four positions, the last equal to the first, each [lon, lat] inside China.
  bool ring(std::size_t f, const std::string& path, const json::value& v) {
    if (!v.is_array() || v.as_array().size() < 4) {
      error(f, path, Problem::kFormat, "a ring needs at least four positions");
      return false;
    }
    const auto& a = v.as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto& p = a[i];
      if (!p.is_array() || p.as_array().size() < 2 || !p.as_array()[0].is_number() || !p.as_array()[1].is_number()) {
        error(f, fmt::format("{}[{}]", path, i), Problem::kFormat, "a position is [longitude, latitude]");
        return false;
      }
      const double lon = p.as_array()[0].to_number<double>(), lat = p.as_array()[1].to_number<double>();
      if (!(lon >= 73 && lon <= 136 && lat >= 3 && lat <= 54)) {
        error(f, fmt::format("{}[{}]", path, i), Problem::kRange,
              fmt::format("[{}, {}] is not in China as [longitude, latitude] (WGS-84)", lon, lat));
        return false;
      }
    }
    if (a.front() != a.back()) {
      error(f, path, Problem::kFormat, "a ring must end where it starts");
      return false;
    }
    positions += a.size();
    return true;
  }
  bool polygon(std::size_t f, const std::string& path, const json::value& v) {
    if (!v.is_array() || v.as_array().empty()) {
      error(f, path, Problem::kFormat, "a polygon is a list of rings");
      return false;
    }
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
      if (!ring(f, fmt::format("{}[{}]", path, i), v.as_array()[i])) return false;
    }
    return true;
  }
  bool geometry(std::size_t f, const json::value* g) {
    if (!g || !g->is_object()) {
      error(f, ".geometry", Problem::kRequired, "is required: a Polygon or MultiPolygon");
      return false;
    }
    const auto* type = g->as_object().if_contains("type");
    const auto* coords = g->as_object().if_contains("coordinates");
    const std::string t = type && type->is_string() ? std::string(type->as_string()) : "";
    if (t != "Polygon" && t != "MultiPolygon") {
      error(f, ".geometry.type", Problem::kFormat, fmt::format("'{}' is not Polygon or MultiPolygon", t));
      return false;
    }
    if (!coords) {
      error(f, ".geometry.coordinates", Problem::kRequired, "is required");
      return false;
    }
    if (t == "Polygon") return polygon(f, ".geometry.coordinates", *coords);
    if (!coords->is_array() || coords->as_array().empty()) {
      error(f, ".geometry.coordinates", Problem::kFormat, "a MultiPolygon is a list of polygons");
      return false;
    }
    for (std::size_t i = 0; i < coords->as_array().size(); ++i) {
      if (!polygon(f, fmt::format(".geometry.coordinates[{}]", i), coords->as_array()[i])) return false;
    }
    return true;
  }
};

// The code as the file gives it: a string of digits, or a number.
std::string code_of(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64() && v.as_int64() > 0) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  return {};
}

}  // namespace

Status import_area_shapes_in(store::WriteTx& tx, std::string_view file, const ImportContext& ctx, ImportReport& rep) {
  rep = ImportReport{};
  // A byte-order mark, as Windows tools write one, is not part of the JSON.
  const std::string_view data = file.substr(file.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0);
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(data.data(), data.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const auto [line, col] = line_col(data, used);
    rep.errors.push_back({line, fmt::format("column {}", col), "not JSON: " + ec.message(), Problem::kFile});
    return Status(Code::kAborted, "rows rejected");
  }
  const json::value doc = parser.release();
  const auto* type = doc.is_object() ? doc.as_object().if_contains("type") : nullptr;
  const auto* features = doc.is_object() ? doc.as_object().if_contains("features") : nullptr;
  if (!type || !type->is_string() || type->as_string() != "FeatureCollection" || !features || !features->is_array()) {
    rep.errors.push_back({1, "type", "a GeoJSON FeatureCollection with a features list is expected", Problem::kFormat});
    return Status(Code::kAborted, "rows rejected");
  }
  const auto& list = features->as_array();
  if (list.empty() || list.size() > kMaxFeatures) {
    rep.errors.push_back({1, "features", fmt::format("needs 1 to {} features", kMaxFeatures), Problem::kRange});
    return Status(Code::kAborted, "rows rejected");
  }
  Checker check{data, feature_offsets(data), rep};
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> shapes;  // code, geometry
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& f = list[i];
    const auto* props = f.is_object() ? f.as_object().if_contains("properties") : nullptr;
    const auto* code_v = props && props->is_object() ? props->as_object().if_contains("code") : nullptr;
    const std::string code = code_v ? code_of(*code_v) : "";
    if (code.empty()) {
      check.error(i, ".properties.code", Problem::kRequired, "is required: the area's code");
      continue;
    }
    auto area = store::find_area(tx.db(), code);
    if (!area.ok()) return area.status();
    if (!*area) {
      check.error(i, ".properties.code", Problem::kUnknown, fmt::format("unknown area '{}'", code));
      continue;
    }
    if (!seen.insert(code).second) {
      check.error(i, ".properties.code", Problem::kDuplicate, fmt::format("area '{}' has a shape earlier in the file", code));
      continue;
    }
    const auto* g = f.as_object().if_contains("geometry");
    if (!check.geometry(i, g)) continue;
    if (check.positions > kMaxPositions) {
      check.error(i, ".geometry", Problem::kRange, fmt::format("the file holds more than {} positions", kMaxPositions));
      break;
    }
    shapes.emplace_back(code, json::serialize(*g));
  }
  rep.rows = list.size();
  if (!rep.ok()) return Status(Code::kAborted, "rows rejected");
  for (const auto& [code, geometry] : shapes) VNH_RETURN_IF_ERROR(store::put_area_shape(tx.db(), code, geometry, ctx.now));
  return store::append_audit(tx.db(), ctx.now,
                             {ctx.actor, "import.area-shapes", "file:" + ctx.file_name,
                              fmt::format("{{\"rows\":{},\"sha256\":\"{}\"}}", rep.rows, sha256_hex(file))});
}

}  // namespace vnh::importer
