#pragma once
// Helpers for the benchmarks: wall-clock timing, percentiles, peak RSS, a temporary folder,
// and one line of JSON per figure so bench/run.sh can collect the report.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "sim/simulator.hpp"

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

}  // namespace vnh::bench
