// Fuzzes the page-cursor decoder (cursors come back from API clients): arbitrary bytes must give
// a cursor or InvalidArgument, and a decoded cursor must survive re-encoding unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/storage/page_cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cursor = rampart::server::DecodeCursor(text);
  if (!cursor.ok()) {
    if (cursor.status().code() != rampart::Code::kInvalidArgument) std::abort();
    return 0;
  }
  auto again = rampart::server::DecodeCursor(rampart::server::EncodeCursor(*cursor));
  if (!again.ok() || !(*again == *cursor)) std::abort();
  (void)rampart::server::CheckCursor(*cursor, "hostname", false, rampart::Json::Type::kString);
  // The raw base64url layer on its own.
  if (auto bytes = rampart::server::Base64UrlDecode(text); bytes.ok()) {
    if (rampart::server::Base64UrlEncode(*bytes) != text) std::abort();
  }
  return 0;
}
