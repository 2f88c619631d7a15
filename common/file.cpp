#include "common/file.hpp"

#include <fstream>
#include <iterator>

namespace vnh {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  // Regular files only: a directory opens as a stream and then fails to read (a fuzz finding:
  // the time zone "." named /usr/share/zoneinfo/. and aborted the policy load).
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace vnh
