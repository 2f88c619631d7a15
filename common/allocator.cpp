#include "common/allocator.hpp"

// jemalloc's control interface; null unless the binary links jemalloc.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace vnh {
namespace {

template <class T>
std::optional<T> read_ctl(const char* name) {
  T value{};
  std::size_t len = sizeof value;
  if (mallctl(name, &value, &len, nullptr, 0) != 0 || len != sizeof value) return std::nullopt;
  return value;
}

}  // namespace

AllocatorInfo allocator_info() {
  AllocatorInfo info;
  if (mallctl == nullptr) {
    info.name = "glibc";
    return info;
  }
  auto version = read_ctl<const char*>("version");
  info.name = std::string("jemalloc ") + (version && *version ? *version : "?");
  // Statistics are cached; writing the epoch refreshes them.
  std::uint64_t epoch = 1;
  std::size_t len = sizeof epoch;
  if (mallctl("epoch", &epoch, &len, &epoch, len) == 0) {
    info.allocated = read_ctl<std::size_t>("stats.allocated");
    info.resident = read_ctl<std::size_t>("stats.resident");
  }
  return info;
}

}  // namespace vnh
