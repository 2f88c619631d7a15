#pragma once
// Structured logging (logfmt lines on stderr) over spdlog. Messages are short sentences;
// values go in key=value pairs. Personal data is never logged unmasked. Thread-safe.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace vnh::log {

// Configures the default logger: level "debug", "info", "warn", "error" or "off".
void init(std::string_view level);
// Quotes a value for logfmt when it contains spaces, quotes or '='.
std::string q(std::string_view v);

template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  spdlog::info(f, std::forward<Args>(args)...);
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  spdlog::warn(f, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  spdlog::error(f, std::forward<Args>(args)...);
}
template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  spdlog::debug(f, std::forward<Args>(args)...);
}

}  // namespace vnh::log
