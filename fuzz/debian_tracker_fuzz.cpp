// Fuzzes the Debian Security Tracker reader: the structural member splitter and the per-entry
// parser. Invariants: every rejected entry has an error, every Affected is in a Debian:N ecosystem
// with a range starting at "introduced 0".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/vuln/debian_tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent::vuln;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto members = SplitJsonObjectMembers(text);
  if (!members.ok()) return 0;
  (void)LooksLikeDebianTracker(*members);
  const TrackerParseResult r = ParseDebianTrackerMembers(*members, "fuzz");
  if (r.rejected != r.errors.size() || r.rejected > r.entries) std::abort();
  for (const Advisory& a : r.advisories) {
    if (a.affected.empty()) std::abort();
    for (const Affected& aff : a.affected) {
      if (!aff.ecosystem.starts_with("Debian:") || aff.ranges.size() != 1) std::abort();
      const auto& events = aff.ranges[0].events;
      if (events.empty() || events[0].kind != RangeEvent::Kind::kIntroduced ||
          events[0].version != "0") {
        std::abort();
      }
    }
  }
  return 0;
}
