// Fuzzes the settings validator (PUT /api/v1/settings) on arbitrary JSON text, and checks that the
// effective settings made from any input always validate, and keep every valid input's values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/json.h"
#include "server/api/settings_schema.h"

namespace {

// The value at a dotted path, or nullptr.
const rampart::Json* At(const rampart::Json& root, std::string_view path) {
  const rampart::Json* node = &root;
  for (std::string_view part : rampart::server::api::SettingPathParts(path)) {
    node = node->is_object() ? node->Find(part) : nullptr;
    if (node == nullptr) return nullptr;
  }
  return node;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::server::api;  // NOLINT(google-build-using-namespace): fuzz driver
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rampart::Json::Parse(text, 32);
  if (!parsed.ok()) return 0;
  const rampart::Status valid = ValidateSettings(*parsed, "settings.");
  if (!valid.ok() && valid.message().empty()) std::abort();
  const rampart::Json effective = EffectiveSettings(*parsed);
  if (!ValidateSettings(effective).ok()) std::abort();
  if (valid.ok()) {
    for (const SettingSpec& spec : SettingSpecs()) {
      const rampart::Json* given = At(*parsed, spec.path);
      const rampart::Json* kept = At(effective, spec.path);
      if (kept == nullptr || (given != nullptr && !(*given == *kept))) std::abort();
    }
  }
  return 0;
}
