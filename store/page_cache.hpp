#pragma once
// A thin layer over SQLite's own page cache (pcache1) that spares every commit a scan of the
// whole cache.
//
// At the end of each write transaction the pager asks its cache to drop every page numbered
// above the database's size (sqlite3PcacheTruncate). pcache1 skips that when no page number it
// has handed out since the last truncation exceeds the size, and otherwise walks the hash
// buckets between the two numbers, or all of them when the gap exceeds the table. B-tree
// rebalancing (balance_nonroot) puts pages in ascending order by swapping their numbers
// through a scratch number, PENDING_BYTE / page size + 1 (262,145 with 4 KiB pages), so any
// transaction that splits leaves out of order leaves that scratch number as pcache1's
// high-water mark, and the commit then walks every bucket and page of the cache: on the write
// connection (~15,000 cached pages) ~7 % of the writer's time under intake.
//
// The layer keeps its own upper bound on the cache's page numbers, counting the scratch number
// only while a page holds it, and passes a truncation on to pcache1 only when a page could lie
// at or above the limit. Every other call goes straight through. It is installed once, before
// SQLite initialises (Database::open does it); if SQLite was initialised before, the default
// cache stays and nothing else changes.
#include <cstdint>

namespace vnh::store {

// Installs the layer over the default page cache. Returns SQLITE_OK, or SQLite's error when it
// was already initialised (the default cache then stays in use).
int install_page_cache_layer();

// Truncations answered without pcache1 (no cached page could be at or above the limit), and
// truncations passed on to it, since start (process-wide; for tests).
struct PageCacheCounts {
  std::uint64_t truncations_skipped = 0;
  std::uint64_t truncations_passed = 0;
};
PageCacheCounts page_cache_counts();

}  // namespace vnh::store
