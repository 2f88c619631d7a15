#pragma once
// Which malloc the process runs on, and its heap figures when it can tell them.
//
// The server binaries (vnh, the benchmarks) link jemalloc (Debian's libjemalloc2), which
// replaces malloc for the whole process, SQLite included: with glibc's malloc, blocks that
// an I/O thread allocates and the writer frees (and the reverse) cost the writer ~15 % of its
// samples under intake. Libraries and unit tests do not depend on it: jemalloc's control
// entry point is looked up as a weak symbol, so a binary without it reports "glibc".
// Decision 007 says why and what was measured.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace vnh {

struct AllocatorInfo {
  std::string name;                     // "jemalloc 5.3.0-0-g…" or "glibc"
  std::optional<std::size_t> allocated;  // bytes the program holds in live allocations
  std::optional<std::size_t> resident;   // bytes of physical memory the allocator maps
};

// Reads the figures now (jemalloc refreshes its statistics on each call). Thread-safe.
AllocatorInfo allocator_info();

}  // namespace vnh
