#pragma once
// `vnh import KIND FILE.csv`: the CSV formats of SPEC §7, all-or-nothing per file. Every
// row is validated (types, references, duplicates, domain rules) and every error is reported
// as `file:line: column: reason`; if there is any, the transaction is rolled back and nothing
// is written. Derived facts are computed the same way as live: visit exceptions from ticket
// check-ins/outs, disputes from "not received" callbacks.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/status.hpp"
#include "domain/policy.hpp"
#include "store/sqlite.hpp"
#include "store/writer.hpp"
#include "tickets/service.hpp"

namespace vnh::importer {

enum class Kind {
  kAreas, kCatalog, kElders, kFirms, kFirmAreas, kStaff, kTickets, kCallbacks, kComplaints, kInspections,
  kCanteens, kMealCards, kMeals, kDeaths, kCareTargets,
  kAreaShapes  // not a CSV: a GeoJSON FeatureCollection of street and community outlines (SPEC §15)
};

std::optional<Kind> parse_kind(std::string_view s);
std::string_view to_string(Kind k);
std::string kind_names();
// The header columns of a kind, in the SPEC's order, and those a file may leave out.
const std::vector<std::string>& columns(Kind k);
const std::vector<std::string>& optional_columns(Kind k);

// What kind of problem a row error is, for a screen to say in its own words (the reason is the
// English sentence for logs and the command line).
enum class Problem {
  kFile,       // the file is not CSV (encoding, quoting)
  kHeader,     // a column unexpected, twice or missing
  kFields,     // a row with more or fewer fields than the header
  kRequired,   // a required value is empty
  kFormat,     // a value that does not parse (number, date, code, one of a list)
  kRange,      // a number out of its range
  kUnknown,    // names something not in the database (firm, area, elder, ticket, …)
  kDuplicate,  // already there, or twice in the file
  kRule,       // against a rule of the platform (state, window, a conflict)
};
std::string_view to_string(Problem p);

struct RowError {
  std::size_t line = 0;
  std::string column;
  std::string reason;
  Problem problem = Problem::kRule;
};

struct ImportReport {
  std::size_t rows = 0;
  std::vector<RowError> errors;
  // Derived counts, e.g. {"visit_exceptions": 33, "disputes": 6}.
  std::vector<std::pair<std::string, std::size_t>> derived;
  bool ok() const { return errors.empty(); }
  // "file:line: column: reason" lines (at most `max`, then "… and N more").
  std::string format_errors(std::string_view file, std::size_t max = 100) const;
};

struct ImportContext {
  const domain::Policy& policy;
  const FieldCrypto& crypto;
  TimeMs now = 0;
  std::string actor = "import";
  std::string file_name;  // for the audit entry
  // The ticket service that cancels a deceased elder's open tickets (the deaths import needs it:
  // cancelling tells the firm holding the ticket).
  tickets::Service* tickets = nullptr;
};

// Imports one file's content in one transaction on `db`. Returns the report (errors mean
// nothing was written); a non-ok Status only for storage failures.
Result<ImportReport> import_csv(store::Database& db, Kind kind, std::string_view data, const ImportContext& ctx);
// The same inside a caller's write transaction (the server's Writer): fills `report` (cleared
// first: a writer job may run twice), and returns kAborted when rows were rejected so the
// caller's job rolls back.
Status import_csv_in(store::WriteTx& tx, Kind kind, std::string_view data, const ImportContext& ctx,
                     ImportReport& report);
// The area-shapes kind (importer/area_shapes.cpp), which import_csv_in hands its file to. An
// error's `line` is the line its feature starts on, its `column` the JSON path
// (`features[3].properties.code`).
Status import_area_shapes_in(store::WriteTx& tx, std::string_view data, const ImportContext& ctx, ImportReport& report);

}  // namespace vnh::importer
