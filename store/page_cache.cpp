#include "store/page_cache.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>

namespace vnh::store {

namespace {

sqlite3_pcache_methods2 g_inner{};  // pcache1, as SQLite installs it by default
std::atomic<std::uint64_t> g_skipped{0};
std::atomic<std::uint64_t> g_passed{0};

// One cache of one pager. SQLite calls a cache's methods from one connection at a time.
struct Cache {
  sqlite3_pcache* inner;
  unsigned scratch;       // balance_nonroot's temporary page number for this page size
  unsigned max_key = 0;   // ≥ every cached page number other than `scratch`
  bool scratch_held = false;
};

Cache* of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

void note_key(Cache& c, unsigned key) {
  if (key == c.scratch) {
    c.scratch_held = true;
  } else {
    c.max_key = std::max(c.max_key, key);
  }
}

int x_init(void*) { return g_inner.xInit ? g_inner.xInit(g_inner.pArg) : SQLITE_OK; }

void x_shutdown(void*) {
  if (g_inner.xShutdown) g_inner.xShutdown(g_inner.pArg);
}

sqlite3_pcache* x_create(int page_size, int extra, int purgeable) {
  sqlite3_pcache* inner = g_inner.xCreate(page_size, extra, purgeable);
  if (!inner) return nullptr;
  // SQLite's PENDING_BYTE is 0x40000000; the scratch number is the page after it.
  const unsigned scratch = page_size > 0 ? 0x40000000u / static_cast<unsigned>(page_size) + 1 : 0;
  auto* c = new (std::nothrow) Cache{inner, scratch};
  if (!c) {
    g_inner.xDestroy(inner);
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void x_cachesize(sqlite3_pcache* p, int n) { g_inner.xCachesize(of(p)->inner, n); }

int x_pagecount(sqlite3_pcache* p) { return g_inner.xPagecount(of(p)->inner); }

sqlite3_pcache_page* x_fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache& c = *of(p);
  sqlite3_pcache_page* page = g_inner.xFetch(c.inner, key, create);
  if (page) note_key(c, key);
  return page;
}

void x_unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) { g_inner.xUnpin(of(p)->inner, page, discard); }

void x_rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache& c = *of(p);
  g_inner.xRekey(c.inner, page, old_key, new_key);
  if (old_key == c.scratch) c.scratch_held = false;  // page numbers are unique in a cache
  note_key(c, new_key);
}

void x_truncate(sqlite3_pcache* p, unsigned limit) {
  Cache& c = *of(p);
  if (!c.scratch_held && limit > c.max_key) {  // no cached page is numbered `limit` or above
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_passed.fetch_add(1, std::memory_order_relaxed);
  g_inner.xTruncate(c.inner, limit);
  c.max_key = limit > 0 ? std::min(c.max_key, limit - 1) : 0;
  if (c.scratch >= limit) c.scratch_held = false;
}

void x_destroy(sqlite3_pcache* p) {
  Cache* c = of(p);
  g_inner.xDestroy(c->inner);
  delete c;
}

void x_shrink(sqlite3_pcache* p) { g_inner.xShrink(of(p)->inner); }

}  // namespace

int install_page_cache_layer() {
  sqlite3_pcache_methods2 inner{};
  int rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner);
  if (rc != SQLITE_OK) return rc;
  if (inner.xCreate == x_create) return SQLITE_OK;  // already installed
  g_inner = inner;
  sqlite3_pcache_methods2 layer{};
  layer.iVersion = 1;  // xShrink is the last method of version 1
  layer.pArg = nullptr;
  layer.xInit = x_init;
  layer.xShutdown = x_shutdown;
  layer.xCreate = x_create;
  layer.xCachesize = x_cachesize;
  layer.xPagecount = x_pagecount;
  layer.xFetch = x_fetch;
  layer.xUnpin = x_unpin;
  layer.xRekey = x_rekey;
  layer.xTruncate = x_truncate;
  layer.xDestroy = x_destroy;
  layer.xShrink = x_shrink;
  return sqlite3_config(SQLITE_CONFIG_PCACHE2, &layer);
}

PageCacheCounts page_cache_counts() {
  return {g_skipped.load(std::memory_order_relaxed), g_passed.load(std::memory_order_relaxed)};
}

}  // namespace vnh::store
