#include "server/storage/page_cursor.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace rampart::server {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 0..63 for alphabet characters, -1 otherwise.
constexpr std::array<std::int8_t, 256> MakeDecodeTable() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr std::array<std::int8_t, 256> kDecodeTable = MakeDecodeTable();

std::string_view TypeName(Json::Type type) {
  switch (type) {
    case Json::Type::kString:
      return "a string";
    case Json::Type::kInt:
      return "an integer";
    case Json::Type::kArray:
      return "an array";
    default:
      return "a value";
  }
}

bool ValidValue(const Json& value) {
  if (value.is_string() || value.is_int()) return true;
  if (!value.is_array()) return false;
  return std::all_of(value.as_array().begin(), value.as_array().end(),
                     [](const Json& item) { return item.is_string(); });
}

}  // namespace

int ClampPageLimit(int limit) { return std::clamp(limit, kMinPageLimit, kMaxPageLimit); }

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = byte(i) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return InvalidArgument("base64url: impossible length");
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::int8_t v = kDecodeTable[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return InvalidArgument("base64url: unexpected character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so every byte string has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return InvalidArgument("base64url: non-zero trailing bits");
  return out;
}

std::string EncodeCursor(const PageCursor& cursor) {
  Json array = Json::MakeArray();
  array.Push(cursor.sort);
  array.Push(cursor.desc ? "desc" : "asc");
  array.Push(cursor.value);
  array.Push(cursor.last_id);
  return Base64UrlEncode(array.Dump());
}

Result<PageCursor> DecodeCursor(std::string_view text) {
  if (text.size() > kMaxCursorChars) {
    return InvalidArgument("cursor: longer than " + std::to_string(kMaxCursorChars) +
                           " characters");
  }
  auto bytes = Base64UrlDecode(text);
  if (!bytes.ok()) return InvalidArgument("cursor: not a cursor (" + bytes.error().message() + ")");
  auto json = Json::Parse(*bytes, /*max_depth=*/4);
  if (!json.ok()) return InvalidArgument("cursor: not a cursor (unreadable content)");
  const Json& a = *json;
  if (!a.is_array() || a.size() != 4) {
    return InvalidArgument("cursor: not a cursor (expected 4 fields)");
  }
  const Json::Array& f = a.as_array();
  if (!f[0].is_string() || f[0].as_string().empty()) {
    return InvalidArgument("cursor: not a cursor (no sort name)");
  }
  if (!f[1].is_string() || (f[1].as_string() != "asc" && f[1].as_string() != "desc")) {
    return InvalidArgument("cursor: not a cursor (direction is not asc or desc)");
  }
  if (!ValidValue(f[2])) return InvalidArgument("cursor: not a cursor (bad sort value)");
  if (!f[3].is_string()) return InvalidArgument("cursor: not a cursor (no row id)");
  PageCursor cursor;
  cursor.sort = f[0].as_string();
  cursor.desc = f[1].as_string() == "desc";
  cursor.value = f[2];
  cursor.last_id = f[3].as_string();
  return cursor;
}

Status CheckCursor(const PageCursor& cursor, std::string_view sort, bool desc,
                   Json::Type value_type) {
  if (cursor.sort != sort || cursor.desc != desc) {
    return InvalidArgument("cursor: made for sort '" + cursor.sort + "' " +
                           (cursor.desc ? "desc" : "asc") + ", not '" + std::string(sort) + "' " +
                           (desc ? "desc" : "asc") + "; start again without a cursor");
  }
  if (cursor.value.type() != value_type) {
    return InvalidArgument("cursor: sort value for '" + std::string(sort) + "' must be " +
                           std::string(TypeName(value_type)));
  }
  return Status::Ok();
}

}  // namespace rampart::server
