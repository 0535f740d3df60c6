// Fuzzes ParseMysqlUrl (a --db flag or config value): never crashes, and what it accepts is
// internally consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/storage/sql_db.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto params = rampart::server::ParseMysqlUrl(text);
  if (params.ok()) {
    // The C client API takes NUL-terminated strings: a NUL inside would silently cut a value.
    for (const auto* field :
         {&params->user, &params->password, &params->host, &params->database, &params->socket}) {
      if (field->find('\0') != std::string::npos) std::abort();
    }
    if (params->port == 0) std::abort();
    if (params->host.empty() && params->socket.empty()) std::abort();
  } else if (params.error().message().empty()) {
    std::abort();
  }
  return 0;
}
