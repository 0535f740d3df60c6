#pragma once
// Keyset-pagination cursors. A cursor remembers where a page ended: the sort it was made for, the
// direction, the last row's sort value and the last row's id. On the wire it is opaque: base64url
// (no padding) of the compact JSON array [sort, "asc"|"desc", value, id]. Cursors come back from
// API clients, so DecodeCursor treats its input as untrusted (bounded size and depth; every
// failure is InvalidArgument starting with "cursor: ").

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace rampart::server {

inline constexpr int kMinPageLimit = 1;
inline constexpr int kMaxPageLimit = 500;
// Longest cursor text DecodeCursor accepts (real cursors are well under 400 characters).
inline constexpr std::size_t kMaxCursorChars = 2048;

struct PageCursor {
  std::string sort;  // e.g. "hostname", "users", "fingerprints"
  bool desc = false;
  Json value;  // the last row's sort value: a string, an integer or an array of strings
  std::string last_id;

  friend bool operator==(const PageCursor&, const PageCursor&) = default;
};

// Clamps a requested page size to [kMinPageLimit, kMaxPageLimit].
int ClampPageLimit(int limit);

std::string EncodeCursor(const PageCursor& cursor);

// Reads a cursor made by EncodeCursor. Checks the shape only (value a string, an integer or an
// array of strings); CheckCursor checks that it fits the query at hand.
Result<PageCursor> DecodeCursor(std::string_view text);

// OK when `cursor` was made for `sort` in direction `desc` and its value has the expected type
// (kString, kInt or kArray); InvalidArgument "cursor: ..." otherwise.
Status CheckCursor(const PageCursor& cursor, std::string_view sort, bool desc,
                   Json::Type value_type);

// base64url without padding (RFC 4648 section 5); Base64UrlDecode rejects other characters,
// padding and impossible lengths.
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace rampart::server
