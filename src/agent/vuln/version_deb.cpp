#include "agent/vuln/version_deb.h"

#include <climits>
#include <string>

namespace rampart::agent::vuln {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool IsBlank(char c) { return c == ' ' || c == '\t'; }
// strtol(3) skips isspace() characters in the C locale before the number.
constexpr bool IsCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// dpkg's order(): '~' sorts first (even before the end of the string), then the end and digits (a
// digit facing a non-digit ends this side's non-digit run), then letters by ASCII, then everything
// else by code + 256. dpkg works on `char`, signed on the platforms it is built for and the
// fixtures come from (amd64, arm64 is unsigned but Debian's ordering is defined by amd64), so a
// byte >= 0x80 is negative there and lands at byte - 256 + 256 = byte: after the letters and before
// the ASCII punctuation.
constexpr int Order(int c) {
  if (c == 0 || (c >= '0' && c <= '9')) return 0;
  if (c == '~') return -1;
  if (c >= 0 && c < 128 && IsAlpha(static_cast<char>(c))) return c;
  if (c >= 128) return c;  // a signed char -128..-1 plus 256
  return c + 256;
}

Status Invalid(std::string_view version, std::string_view why) {
  constexpr std::size_t kMaxShown = 200;
  std::string shown(version.substr(0, kMaxShown));
  if (version.size() > kMaxShown) shown += "...";
  return InvalidArgument("invalid deb version '" + shown + "': " + std::string(why));
}

// The epoch in front of `colon`, parsed with strtol()'s rules as dpkg does: optional C-locale
// spaces, an optional sign, decimal digits ending exactly at the colon; 0..INT_MAX.
Result<std::uint32_t> ParseEpoch(std::string_view whole, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && IsCSpace(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  const std::size_t digits_start = i;
  std::uint64_t value = 0;
  bool too_big = false;
  while (i < text.size() && IsDigit(text[i])) {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (value > static_cast<std::uint64_t>(INT_MAX)) {
      too_big = true;
      value = static_cast<std::uint64_t>(INT_MAX) + 1;  // saturate; only "too big" matters now
    }
    ++i;
  }
  if (i == digits_start) return Invalid(whole, "epoch in version is empty");
  if (i != text.size()) return Invalid(whole, "epoch in version is not number");
  if (negative && value != 0) return Invalid(whole, "epoch in version is negative");
  if (too_big) return Invalid(whole, "epoch in version is too big");
  return static_cast<std::uint32_t>(value);
}

}  // namespace

Result<DebVersion> ParseDebVersion(std::string_view version) {
  if (version.find('\0') != std::string_view::npos) return Invalid(version, "contains a NUL byte");
  std::size_t start = 0;
  while (start < version.size() && IsBlank(version[start])) ++start;
  if (start == version.size()) return Invalid(version, "empty version");
  std::size_t end = start;
  while (end < version.size() && !IsBlank(version[end])) ++end;
  for (std::size_t i = end; i < version.size(); ++i) {
    if (!IsBlank(version[i])) return Invalid(version, "version string has embedded spaces");
  }
  std::string_view text = version.substr(start, end - start);

  DebVersion out;
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    RAMPART_ASSIGN_OR_RETURN(out.epoch, ParseEpoch(version, text.substr(0, colon)));
    text.remove_prefix(colon + 1);
  }
  // The revision follows the last hyphen; the upstream version may contain hyphens (and colons).
  if (const std::size_t hyphen = text.rfind('-'); hyphen != std::string_view::npos) {
    out.revision = text.substr(hyphen + 1);
    if (out.revision.empty()) return Invalid(version, "empty revision");
    text = text.substr(0, hyphen);
  }
  if (text.empty()) return Invalid(version, "empty upstream version");
  out.upstream = text;
  return out;
}

int CompareDebVersionPart(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  // At the end of a string the current character reads as NUL, as in dpkg's C strings.
  auto at = [](std::string_view s, std::size_t k) -> int {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
  };
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      const int ac = Order(at(a, i));
      const int bc = Order(at(b, j));
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    int first_diff = 0;
    while (i < a.size() && j < b.size() && IsDigit(a[i]) && IsDigit(b[j])) {
      if (first_diff == 0) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && IsDigit(a[i])) return 1;
    if (j < b.size() && IsDigit(b[j])) return -1;
    if (first_diff != 0) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

int CompareDebVersions(const DebVersion& a, const DebVersion& b) {
  if (a.epoch != b.epoch) return a.epoch < b.epoch ? -1 : 1;
  if (const int c = CompareDebVersionPart(a.upstream, b.upstream); c != 0) return c;
  return CompareDebVersionPart(a.revision, b.revision);
}

Result<int> CompareDebVersions(std::string_view a, std::string_view b) {
  RAMPART_ASSIGN_OR_RETURN(const DebVersion va, ParseDebVersion(a));
  RAMPART_ASSIGN_OR_RETURN(const DebVersion vb, ParseDebVersion(b));
  return CompareDebVersions(va, vb);
}

}  // namespace rampart::agent::vuln
