// Shared by the web server config fuzz targets (nginx, Apache/Tomcat, Caddyfile): the fuzz input
// as the main file, every include or import resolving to the same text again, so include recursion
// and the depth and file limits are exercised with the tokenizer; and the limits they run under.
#pragma once

#include <string>
#include <vector>

#include "agent/collectors/web_config.h"

namespace rampart::agent::fuzz {

inline constexpr WebConfigLimits kFuzzWebLimits{4, 16, 1000};

inline WebFileReader SelfIncludingReader(const std::string& text) {
  return [&text](const std::string& pattern, bool, std::vector<std::string>*) {
    return std::vector<WebConfigFile>{{pattern, text}};
  };
}

}  // namespace rampart::agent::fuzz
