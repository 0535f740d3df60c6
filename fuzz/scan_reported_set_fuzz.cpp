// Fuzzes the reader of the malware module's reported-findings file (<data dir>/malware_reported):
// a damaged file must be rejected cleanly, never crash. Each input is parsed as is, and again with
// a valid trailer (entry count and checksum) so mutations reach the entry parser behind it; what
// parses must serialise and parse back to the same entries.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/scan/reported_set.h"
#include "common/hash.h"

using rampart::agent::scan::ReportedSet;

namespace {

void RoundTrip(const ReportedSet& set) {
  auto again = ReportedSet::Parse(set.Serialize());
  if (!again.ok() || again->entries().size() != set.entries().size() ||
      again->host_id() != set.host_id()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto parsed = ReportedSet::Parse(bytes); parsed.ok()) RoundTrip(*parsed);
  std::string body(bytes);
  if (!body.empty() && body.back() != '\n') body.push_back('\n');
  const auto lines = static_cast<long>(std::count(body.begin(), body.end(), '\n'));
  const std::string text =
      body + "end " + std::to_string(lines - 1) + " " + rampart::Sha256Hex(body) + "\n";
  if (auto parsed = ReportedSet::Parse(text); parsed.ok()) RoundTrip(*parsed);
  return 0;
}
