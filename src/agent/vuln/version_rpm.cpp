#include "agent/vuln/version_rpm.h"

#include <cstring>
#include <string>

namespace rampart::agent::vuln {
namespace {

// rpm's rctype.h: ASCII only, independent of the locale.
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

Status Invalid(std::string_view evr, std::string_view why) {
  constexpr std::size_t kMaxShown = 200;
  std::string shown(evr.substr(0, kMaxShown));
  if (evr.size() > kMaxShown) shown += "...";
  return InvalidArgument("invalid rpm version '" + shown + "': " + std::string(why));
}

int Sign(int v) { return (v > 0) - (v < 0); }

// Lexicographic byte comparison, the shorter prefix first: strcmp() on NUL-terminated segments.
int CompareBytes(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  if (n > 0) {
    if (const int c = std::memcmp(a.data(), b.data(), n); c != 0) return Sign(c);
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace

Result<RpmVersion> ParseRpmVersion(std::string_view evr) {
  if (evr.empty()) return Invalid(evr, "empty version");
  if (evr.find('\0') != std::string_view::npos) return Invalid(evr, "contains a NUL byte");
  RpmVersion out;
  std::size_t s = 0;
  while (s < evr.size() && IsDigit(evr[s])) ++s;
  // rpm looks for the release separator from the end of the epoch digits; a '-' is never a digit,
  // so this is the last '-' of the whole string.
  const std::size_t hyphen = evr.rfind('-');
  std::size_t version_start = 0;
  if (s < evr.size() && evr[s] == ':') {
    out.epoch = evr.substr(0, s);
    version_start = s + 1;
  }
  if (hyphen != std::string_view::npos && hyphen >= version_start) {
    out.version = evr.substr(version_start, hyphen - version_start);
    out.release = evr.substr(hyphen + 1);
    out.has_release = true;
  } else {
    out.version = evr.substr(version_start);
  }
  return out;
}

int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  std::size_t i = 0;
  std::size_t j = 0;
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  while (i < na || j < nb) {
    while (i < na && !IsAlnum(a[i]) && a[i] != '~' && a[i] != '^') ++i;
    while (j < nb && !IsAlnum(b[j]) && b[j] != '~' && b[j] != '^') ++j;

    // '~' sorts before everything, the end of the string included.
    const bool a_tilde = i < na && a[i] == '~';
    const bool b_tilde = j < nb && b[j] == '~';
    if (a_tilde || b_tilde) {
      if (!a_tilde) return 1;
      if (!b_tilde) return -1;
      ++i;
      ++j;
      continue;
    }
    // '^' sorts after the end of the string but before anything else.
    const bool a_caret = i < na && a[i] == '^';
    const bool b_caret = j < nb && b[j] == '^';
    if (a_caret || b_caret) {
      if (i == na) return -1;
      if (j == nb) return 1;
      if (!a_caret) return 1;
      if (!b_caret) return -1;
      ++i;
      ++j;
      continue;
    }
    if (i == na || j == nb) break;

    const std::size_t a_start = i;
    const std::size_t b_start = j;
    const bool numeric = IsDigit(a[i]);
    if (numeric) {
      while (i < na && IsDigit(a[i])) ++i;
      while (j < nb && IsDigit(b[j])) ++j;
    } else {
      while (i < na && IsAlpha(a[i])) ++i;
      while (j < nb && IsAlpha(b[j])) ++j;
    }
    // A numeric segment is newer than an alphabetic one.
    if (j == b_start) return numeric ? 1 : -1;

    std::string_view sa = a.substr(a_start, i - a_start);
    std::string_view sb = b.substr(b_start, j - b_start);
    if (numeric) {
      while (!sa.empty() && sa.front() == '0') sa.remove_prefix(1);
      while (!sb.empty() && sb.front() == '0') sb.remove_prefix(1);
      if (sa.size() != sb.size()) return sa.size() < sb.size() ? -1 : 1;
    }
    if (const int c = CompareBytes(sa, sb); c != 0) return c;
  }
  if (i == na && j == nb) return 0;
  return i < na ? 1 : -1;
}

int CompareRpmVersions(const RpmVersion& a, const RpmVersion& b) {
  const std::string_view ea = a.epoch.empty() ? std::string_view("0") : a.epoch;
  const std::string_view eb = b.epoch.empty() ? std::string_view("0") : b.epoch;
  if (const int c = RpmVerCmp(ea, eb); c != 0) return c;
  if (const int c = RpmVerCmp(a.version, b.version); c != 0) return c;
  if (a.has_release && b.has_release) return RpmVerCmp(a.release, b.release);
  if (a.has_release != b.has_release) return a.has_release ? 1 : -1;
  return 0;
}

Result<int> CompareRpmVersions(std::string_view a, std::string_view b) {
  RAMPART_ASSIGN_OR_RETURN(const RpmVersion va, ParseRpmVersion(a));
  RAMPART_ASSIGN_OR_RETURN(const RpmVersion vb, ParseRpmVersion(b));
  return CompareRpmVersions(va, vb);
}

}  // namespace rampart::agent::vuln
