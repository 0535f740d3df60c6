// Fuzzes the stored form of advisories (what each server node reads back from the database to
// build its index): any text either is refused or gives an advisory whose stored form reads back
// to the same JSON (the round trip is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/vuln/advisory_json.h"
#include "common/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent::vuln;  // NOLINT(google-build-using-namespace): fuzz driver
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = rampart::Json::Parse(text);
  if (!json.ok()) return 0;
  auto advisory = AdvisoryFromJson(*json);
  if (!advisory.ok()) return 0;
  const rampart::Json stored = AdvisoryToJson(*advisory);
  auto again = AdvisoryFromJson(stored);
  if (!again.ok()) std::abort();
  if (!(AdvisoryToJson(*again) == stored)) std::abort();
  return 0;
}
