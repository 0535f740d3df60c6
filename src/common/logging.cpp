#include "common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace rampart::log {
namespace {

std::atomic<Level> g_level{Level::kWarn};

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("rampart");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    l->set_level(spdlog::level::trace);  // filtering happens in Enabled()
    return l;
  }();
  return *logger;
}

}  // namespace

bool ParseLevel(std::string_view name, Level* out) {
  struct Entry {
    std::string_view name;
    Level level;
  };
  static constexpr Entry kLevels[] = {{"trace", Level::kTrace}, {"debug", Level::kDebug},
                                      {"info", Level::kInfo},   {"warn", Level::kWarn},
                                      {"error", Level::kError}, {"off", Level::kOff}};
  for (const auto& e : kLevels) {
    if (e.name == name) {
      *out = e.level;
      return true;
    }
  }
  return false;
}

void SetLevel(Level level) { g_level.store(level, std::memory_order_relaxed); }
Level GetLevel() { return g_level.load(std::memory_order_relaxed); }
bool Enabled(Level level) { return level >= GetLevel() && level != Level::kOff; }

void Write(Level level, std::string_view message) {
  spdlog::level::level_enum l = spdlog::level::info;
  switch (level) {
    case Level::kTrace:
      l = spdlog::level::trace;
      break;
    case Level::kDebug:
      l = spdlog::level::debug;
      break;
    case Level::kInfo:
      l = spdlog::level::info;
      break;
    case Level::kWarn:
      l = spdlog::level::warn;
      break;
    case Level::kError:
      l = spdlog::level::err;
      break;
    case Level::kOff:
      return;
  }
  Logger().log(l, "{}", message);
}

}  // namespace rampart::log
