// A CSV file of each import kind (the first byte chooses the kind; the rest is the file, a
// header line is prepended when the input has none): the importer must never crash, and either
// accept the rows or name file:line: column: reason for each refusal.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/district.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto& d = vnh::fuzz::district();
  using vnh::importer::Kind;
  static const Kind kinds[] = {Kind::kAreas,     Kind::kCatalog,     Kind::kElders,     Kind::kFirms,
                               Kind::kFirmAreas, Kind::kStaff,       Kind::kTickets,    Kind::kCallbacks,
                               Kind::kComplaints, Kind::kInspections, Kind::kCanteens, Kind::kMealCards,
                               Kind::kMeals};
  Kind k = kinds[data[0] % (sizeof(kinds) / sizeof(*kinds))];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string header;
  for (const auto& c : vnh::importer::columns(k)) header += (header.empty() ? "" : ",") + c;
  if (body.rfind(header, 0) != 0) body = header + "\r\n" + body;
  vnh::importer::ImportContext ctx{d.policy, d.store->crypto(), d.clock.now_ms(), "import", "fuzz.csv"};
  vnh::importer::ImportReport report;
  (void)vnh::store::run_transaction(d.store->db(), [&](vnh::store::WriteTx& tx) {
    (void)vnh::importer::import_csv_in(tx, k, body, ctx, report);
    for (const auto& e : report.errors) {
      if (e.line == 0 || e.reason.empty()) std::abort();  // every refusal says where and why
    }
    (void)report.format_errors("fuzz.csv");
    return vnh::fuzz::rollback();
  });
  return 0;
}
