// Fuzzes the HTTP request-target parser, URL parsing and percent-decoding (net/http.h,
// net/client.h): every request the server accepts goes through ParseTarget before any handler.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/client.h"
#include "net/http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rampart::net::HttpRequest request;
  if (rampart::net::ParseTarget(text, request).ok()) {
    // What parsed must not contain a NUL in the path (ParseTarget rejects %00 there).
    if (request.path.find('\0') != std::string::npos) std::abort();
  }
  (void)rampart::net::ParseUrl(text);
  // Decoding never grows the text, and encoding then decoding gives the input back.
  if (rampart::net::PercentDecode(text, true).size() > text.size()) std::abort();
  if (rampart::net::PercentDecode(rampart::net::PercentEncode(text), false) != text) std::abort();
  return 0;
}
