// Fuzzes the Python core-metadata header parser (METADATA / PKG-INFO) and the name helpers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/software_lang.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PythonMetadata m = ParsePythonMetadata(text);
  const std::string norm = NormalizePythonName(m.name);
  if (norm.size() > m.name.size()) __builtin_trap();
  if (NormalizePythonName(norm) != norm) __builtin_trap();  // idempotent
  (void)ParseDistInfoDirName(text.substr(0, 256));
  return 0;
}
