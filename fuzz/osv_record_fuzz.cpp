// Fuzzes the OSV record parser (after Json::Parse, as the feed loader does), the RFC 3339 timestamp
// parser and the CVSS vector scorers, checking the parser's invariants: aliases never hold the id
// or a duplicate, scores stay within 0..10.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/vuln/cvss.h"
#include "agent/vuln/osv.h"
#include "common/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent::vuln;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseTimestamp(text);
  for (auto score : {CvssV3BaseScore(text), CvssV2BaseScore(text)}) {
    if (score.ok() && (*score < 0.0 || *score > 10.0)) std::abort();
  }
  auto json = rampart::Json::Parse(text);
  if (!json.ok()) return 0;
  auto advisory = ParseOsvRecord(*json, "fuzz");
  if (!advisory.ok()) return 0;
  const auto& aliases = advisory->aliases;
  for (std::size_t i = 0; i < aliases.size(); ++i) {
    if (aliases[i] == advisory->id) std::abort();
    if (std::find(aliases.begin() + static_cast<std::ptrdiff_t>(i) + 1, aliases.end(),
                  aliases[i]) != aliases.end()) {
      std::abort();
    }
  }
  if (advisory->cvss_score < 0.0 || advisory->cvss_score > 10.0) std::abort();
  if (!ParseTimestamp(advisory->modified)) std::abort();
  return 0;
}
