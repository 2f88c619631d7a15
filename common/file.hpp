#pragma once
// Whole-file reads for the few places that need a file's bytes at once (imports, policies,
// time zone data).
#include <filesystem>
#include <optional>
#include <string>

namespace vnh {

// The file's bytes, unchanged; nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::filesystem::path& path);

}  // namespace vnh
