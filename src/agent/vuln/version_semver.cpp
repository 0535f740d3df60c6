#include "agent/vuln/version_semver.h"

#include <cstddef>
#include <string>

namespace rampart::agent::vuln {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

struct Parsed {
  std::string_view core;        // "1.2.3" (or "1", "1.2", "1.2.3.4"): numbers without leading zeros
  std::string_view prerelease;  // without the '-'; empty when absent
};

Status Invalid(std::string_view input, std::string_view why) {
  return InvalidArgument("invalid semver version '" + std::string(input) +
                         "': " + std::string(why));
}

// Checks dot-separated identifiers; numeric ones must not have leading zeros when `numeric_rule`.
bool ValidIdentifiers(std::string_view s, bool numeric_rule, std::string* why) {
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    bool all_digits = true;
    while (i < s.size() && s[i] != '.') {
      if (!IsIdentChar(s[i])) {
        *why = "character '" + std::string(1, s[i]) + "' not allowed (only [0-9A-Za-z-])";
        return false;
      }
      all_digits = all_digits && IsDigit(s[i]);
      ++i;
    }
    if (i == start) {
      *why = "empty identifier";
      return false;
    }
    if (numeric_rule && all_digits && i - start > 1 && s[start] == '0') {
      *why =
          "numeric identifier '" + std::string(s.substr(start, i - start)) + "' has a leading zero";
      return false;
    }
    if (i == s.size()) return true;
    ++i;  // '.'
  }
}

Result<Parsed> Parse(std::string_view s) {
  if (s.empty()) return Invalid(s, "empty version");
  std::string_view v = s;
  if (v.front() == 'v' || v.front() == '=') v.remove_prefix(1);
  std::size_t i = 0;
  int components = 0;
  while (true) {
    const std::size_t start = i;
    while (i < v.size() && IsDigit(v[i])) ++i;
    if (i == start) {
      return Invalid(s, components == 0 ? "must start with a number (MAJOR.MINOR.PATCH)"
                                        : "empty or non-numeric version component");
    }
    if (i - start > 1 && v[start] == '0') {
      return Invalid(s, "numeric component '" + std::string(v.substr(start, i - start)) +
                            "' has a leading zero");
    }
    ++components;
    if (i < v.size() && v[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  Parsed p;
  p.core = v.substr(0, i);
  if (i == v.size()) return p;
  if (components < 3) {
    return Invalid(s, "pre-release or build metadata needs MAJOR.MINOR.PATCH");
  }
  std::string why;
  if (v[i] == '-') {
    const std::size_t start = ++i;
    while (i < v.size() && v[i] != '+') ++i;
    p.prerelease = v.substr(start, i - start);
    if (!ValidIdentifiers(p.prerelease, true, &why)) return Invalid(s, "pre-release: " + why);
  }
  if (i < v.size() && v[i] == '+') {
    if (!ValidIdentifiers(v.substr(i + 1), false, &why))
      return Invalid(s, "build metadata: " + why);
    return p;
  }
  if (i != v.size()) {
    return Invalid(s, "unexpected '" + std::string(1, v[i]) + "' after the version number");
  }
  return p;
}

// Digit strings without leading zeros (validated): longer is larger, then lexicographic.
int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Numeric components left to right; a missing component counts as 0 ("1" == "1.0.0").
int CompareCore(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    std::size_t ie = i, je = j;
    while (ie < a.size() && a[ie] != '.') ++ie;
    while (je < b.size() && b[je] != '.') ++je;
    std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
    if (x.empty()) x = "0";
    if (y.empty()) y = "0";
    if (const int c = CompareNumbers(x, y); c != 0) return c;
    i = ie < a.size() ? ie + 1 : ie;
    j = je < b.size() ? je + 1 : je;
  }
  return 0;
}

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// semver.org §11: identifiers left to right; numeric < alphanumeric; numeric ones numerically,
// alphanumeric ones in ASCII order; more identifiers win when all before are equal.
int ComparePrerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) {
    if (a.empty() == b.empty()) return 0;
    return a.empty() ? 1 : -1;  // a version without pre-release ranks above one with
  }
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::size_t ie = i, je = j;
    while (ie < a.size() && a[ie] != '.') ++ie;
    while (je < b.size() && b[je] != '.') ++je;
    const std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
    const bool xn = AllDigits(x), yn = AllDigits(y);
    int c;
    if (xn && yn) {
      c = CompareNumbers(x, y);
    } else if (xn != yn) {
      c = xn ? -1 : 1;
    } else {
      const int r = x.compare(y);
      c = r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
    if (c != 0) return c;
    i = ie < a.size() ? ie + 1 : ie;
    j = je < b.size() ? je + 1 : je;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

}  // namespace

Result<int> CompareSemverVersions(std::string_view a, std::string_view b) {
  RAMPART_ASSIGN_OR_RETURN(const Parsed pa, Parse(a));
  RAMPART_ASSIGN_OR_RETURN(const Parsed pb, Parse(b));
  if (const int c = CompareCore(pa.core, pb.core); c != 0) return c;
  return ComparePrerelease(pa.prerelease, pb.prerelease);
}

}  // namespace rampart::agent::vuln
