// Fuzzes what is read from a kernel module file: the ELF .modinfo section and the appended
// signature (struct module_signature + PKCS#7 through OpenSSL).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/collectors/kernel_module_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  (void)rampart::agent::ParseElfModinfo(file);
  (void)rampart::agent::ParseModuleSignature(file);
  return 0;
}
