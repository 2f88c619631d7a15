#pragma once
// Helpers for the benchmarks: wall-clock timing, percentiles, peak RSS, a temporary folder,
// and one line of JSON per figure so bench/run.sh can collect the report.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/clock.hpp"
#include "data/embedded.hpp"
#include "domain/policy.hpp"
#include "importer/importer.hpp"
#include "sim/district.hpp"
#include "sim/simulator.hpp"
#include "store/store.hpp"

namespace vnh::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Prints `{"bench":…,"figure":…,"value":…,"unit":…}` for the report collector.
inline void figure(const std::string& bench, const std::string& name, double value, const std::string& unit) {
  std::printf("{\"bench\":\"%s\",\"figure\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", bench.c_str(), name.c_str(), value,
              unit.c_str());
  std::fflush(stdout);
}

struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    path = std::filesystem::temp_directory_path() /
           ("vnh-bench-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A database opened for bulk loading (no writer thread, synchronous=OFF) with the importer as
// a DistrictGenerator sink; the district's areas and the catalog are loaded on construction.
struct BulkLoader {
  std::unique_ptr<store::Store> store;
  importer::ImportContext ctx;
  BulkLoader(const std::string& path, const domain::Policy& policy)
      : store(open(path)), ctx{policy, store->crypto(), SystemClock().now_ms(), "bench", "bench"} {
    load("areas", std::string(data::areas_csv()));
    load("catalog", std::string(data::catalog_csv()));
  }
  // Imports one file; a rejected file is reported on stderr.
  bool load(const std::string& kind, const std::string& csv) const {
    auto r = importer::import_csv(store->db(), *importer::parse_kind(kind), csv, ctx);
    if (!r.ok() || !r->ok()) {
      std::fprintf(stderr, "%s: %s\n", kind.c_str(),
                   r.ok() ? r->format_errors(kind, 3).c_str() : r.status().message().c_str());
    }
    return r.ok() && r->ok();
  }
  sim::CsvSink sink() const {
    return [this](const std::string& kind, const std::string& csv) { return load(kind, csv); };
  }

 private:
  static std::unique_ptr<store::Store> open(const std::string& path) {
    store::StoreOptions so;
    so.path = path;
    so.start_writer = false;
    so.open.synchronous = "OFF";
    return std::move(*store::Store::open(so));
  }
};

}  // namespace vnh::bench
