#include "agent/vuln/version_pypi.h"

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

namespace rampart::agent::vuln {
namespace {

// packaging compiles VERSION_PATTERN with re.IGNORECASE over `str`, so besides ASCII letters its
// `[a-z]` classes and literal keywords also match four non-ASCII letters: U+0130 'İ' and U+0131 'ı'
// (as i), U+017F 'ſ' (as s) and U+212A 'K' (as k). They survive `.lower()` differently ('İ' becomes
// "i̇", 'K' becomes "k", the other two stay), so "1.0poſt1" is a post release ordered after every
// "post" one. We reproduce that instead of guessing.
constexpr std::string_view kUtf8DotlessI = "\xC4\xB1";    // U+0131, lower() is itself
constexpr std::string_view kUtf8DottedI = "\xC4\xB0";     // U+0130, lower() is "i\u0307"
constexpr std::string_view kUtf8LongS = "\xC5\xBF";       // U+017F, lower() is itself
constexpr std::string_view kUtf8Kelvin = "\xE2\x84\xAA";  // U+212A, lower() is "k"
constexpr std::string_view kCombiningDot = "\xCC\x87";    // U+0307

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsSep(char c) { return c == '-' || c == '_' || c == '.'; }

// Length of the Python `\s` character (str.isspace()) starting at s[i], or 0.
std::size_t SpaceLen(std::string_view s, std::size_t i) {
  const auto u = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return 1;
  const std::size_t left = s.size() - i;
  if (c == 0xC2 && left >= 2 && (u(i + 1) == 0x85 || u(i + 1) == 0xA0)) return 2;
  if (left < 3) return 0;
  const unsigned char c1 = u(i + 1), c2 = u(i + 2);
  if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;  // U+1680
  if (c == 0xE2 && c1 == 0x80 &&
      ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
    return 3;                                           // U+2000..200A, U+2028, U+2029, U+202F
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  return 0;
}

// Length of a trailing `\s` character ending at s[end-1], or 0.
std::size_t TrailingSpaceLen(std::string_view s, std::size_t begin, std::size_t end) {
  for (std::size_t len = 1; len <= 3 && len <= end - begin; ++len) {
    if (SpaceLen(s, end - len) == len) return len;
  }
  return 0;
}

// Keyword spelling variants that order differently once lower-cased (see the comment at the top).
enum class Variant { kPlain, kDotlessI, kDottedI, kLongS };

// Matches keyword `kw` (lower-case ASCII) case-insensitively at s[pos]; returns the bytes consumed
// or 0.
std::size_t MatchKeyword(std::string_view s, std::size_t pos, std::string_view kw,
                         Variant* variant) {
  std::size_t i = pos;
  *variant = Variant::kPlain;
  for (const char k : kw) {
    if (i >= s.size()) return 0;
    if (Lower(s[i]) == k) {
      ++i;
      continue;
    }
    const std::string_view rest = s.substr(i);
    if (k == 'i' && rest.starts_with(kUtf8DotlessI)) {
      *variant = Variant::kDotlessI;
    } else if (k == 'i' && rest.starts_with(kUtf8DottedI)) {
      *variant = Variant::kDottedI;
    } else if (k == 's' && rest.starts_with(kUtf8LongS)) {
      *variant = Variant::kLongS;
    } else {
      return 0;
    }
    i += 2;
  }
  return i - pos;
}

std::size_t Digits(std::string_view s, std::size_t pos) {
  std::size_t i = pos;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - pos;
}

// Compares two non-negative decimal digit strings numerically ("" is 0), at any length.
int CompareNumbers(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// The pre-release letter after lower-casing and alias folding, in packaging's string order:
// "a" < "b" < "previ\u0307ew" < "prev\u0131ew" < "rc".
enum PreLetter : int { kPreA = 0, kPreB = 1, kPreDottedI = 2, kPreDotlessI = 3, kPreRc = 4 };

struct Parsed {
  std::string_view epoch;    // digits; empty means 0
  std::string_view release;  // "1.0.3": digits separated by single dots
  bool has_pre = false;
  int pre_letter = kPreA;
  std::string_view pre_num;
  bool has_post = false;
  int post_letter = 0;  // 0: "post"; 1: "poſt" (sorts after every "post")
  std::string_view post_num;
  bool has_dev = false;
  std::string_view dev_num;
  bool has_local = false;
  std::string_view local;  // after '+': alphanumeric segments separated by '-', '_' or '.'
};

// Tries the pre-release alternatives in VERSION_PATTERN's order (alpha|a|beta|b|preview|pre|c|rc).
std::size_t MatchPreLetter(std::string_view s, std::size_t pos, int* letter) {
  struct Alt {
    std::string_view kw;
    int letter;
  };
  static constexpr Alt kAlts[] = {{"alpha", kPreA}, {"a", kPreA},        {"beta", kPreB},
                                  {"b", kPreB},     {"preview", kPreRc}, {"pre", kPreRc},
                                  {"c", kPreRc},    {"rc", kPreRc}};
  for (const Alt& alt : kAlts) {
    Variant v;
    const std::size_t n = MatchKeyword(s, pos, alt.kw, &v);
    if (n == 0) continue;
    *letter = v == Variant::kDotlessI ? kPreDotlessI
                                      : (v == Variant::kDottedI ? kPreDottedI : alt.letter);
    return n;
  }
  return 0;
}

std::size_t MatchPostLetter(std::string_view s, std::size_t pos, int* letter) {
  for (const std::string_view kw :
       {std::string_view("post"), std::string_view("rev"), std::string_view("r")}) {
    Variant v;
    const std::size_t n = MatchKeyword(s, pos, kw, &v);
    if (n == 0) continue;
    *letter = v == Variant::kLongS ? 1 : 0;
    return n;
  }
  return 0;
}

// Length of one local-segment character at s[i] ([a-z0-9] under IGNORECASE), or 0.
std::size_t LocalCharLen(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  const std::string_view rest = s.substr(i);
  if (rest.starts_with(kUtf8DotlessI) || rest.starts_with(kUtf8DottedI) ||
      rest.starts_with(kUtf8LongS))
    return 2;
  if (rest.starts_with(kUtf8Kelvin)) return 3;
  return 0;
}

// `[-_.]? <letter> [-_.]? [0-9]*` as one optional group. The separators are taken greedily: every
// later group may begin with its own separator, so taking one here never loses a match.
std::size_t MatchLetterGroup(std::string_view s, std::size_t pos,
                             std::size_t (*match)(std::string_view, std::size_t, int*), int* letter,
                             std::string_view* num) {
  std::size_t i = pos;
  if (i < s.size() && IsSep(s[i])) ++i;
  const std::size_t n = match(s, i, letter);
  if (n == 0) return 0;
  i += n;
  if (i < s.size() && IsSep(s[i])) ++i;
  const std::size_t d = Digits(s, i);
  *num = s.substr(i, d);
  return i + d - pos;
}

std::size_t MatchDev(std::string_view s, std::size_t pos, int* letter) {
  *letter = 0;
  Variant v;
  return MatchKeyword(s, pos, "dev", &v);
}

Status Invalid(std::string_view input, std::string_view why) {
  return InvalidArgument("invalid pypi version '" + std::string(input) + "': " + std::string(why));
}

Status Unexpected(std::string_view input, std::size_t pos) {
  if (pos >= input.size()) return Invalid(input, "ends too early (not a PEP 440 version)");
  return Invalid(input, "unexpected '" + std::string(input.substr(pos, 1)) + "' at offset " +
                            std::to_string(pos) + " (not a PEP 440 version)");
}

Result<Parsed> Parse(std::string_view s) {
  std::size_t begin = 0, end = s.size();
  while (begin < end) {
    const std::size_t n = SpaceLen(s, begin);
    if (n == 0) break;
    begin += n;
  }
  while (end > begin) {
    const std::size_t n = TrailingSpaceLen(s, begin, end);
    if (n == 0) break;
    end -= n;
  }
  if (begin == end) return Invalid(s, "empty version");
  const std::string_view v = s.substr(0, end);  // offsets stay those of the input
  std::size_t i = begin;
  Parsed p;
  if (v[i] == 'v' || v[i] == 'V') ++i;

  std::size_t d = Digits(v, i);
  if (d == 0) return Unexpected(s, i);
  if (i + d < v.size() && v[i + d] == '!') {
    p.epoch = v.substr(i, d);
    i += d + 1;
    d = Digits(v, i);
    if (d == 0) return i < v.size() ? Unexpected(s, i) : Invalid(s, "missing release after epoch");
  }
  const std::size_t release_begin = i;
  i += d;
  while (i + 1 < v.size() && v[i] == '.' && IsDigit(v[i + 1])) i += 1 + Digits(v, i + 1);
  p.release = v.substr(release_begin, i - release_begin);

  if (std::size_t n = MatchLetterGroup(v, i, MatchPreLetter, &p.pre_letter, &p.pre_num); n > 0) {
    p.has_pre = true;
    i += n;
  }
  if (i + 1 < v.size() && v[i] == '-' && IsDigit(v[i + 1])) {  // implicit post release: 1.0-1
    p.has_post = true;
    const std::size_t n = Digits(v, i + 1);
    p.post_num = v.substr(i + 1, n);
    i += 1 + n;
  } else if (std::size_t n = MatchLetterGroup(v, i, MatchPostLetter, &p.post_letter, &p.post_num);
             n > 0) {
    p.has_post = true;
    i += n;
  }
  int dev_letter = 0;
  if (std::size_t n = MatchLetterGroup(v, i, MatchDev, &dev_letter, &p.dev_num); n > 0) {
    p.has_dev = true;
    i += n;
  }
  if (i < v.size() && v[i] == '+') {
    const std::size_t local_begin = ++i;
    while (true) {
      std::size_t seg = 0;
      while (i < v.size()) {
        const std::size_t n = LocalCharLen(v, i);
        if (n == 0) break;
        i += n;
        seg += n;
      }
      if (seg == 0)
        return i < v.size() ? Unexpected(s, i) : Invalid(s, "empty local version segment");
      if (i + 1 < v.size() && IsSep(v[i]) && LocalCharLen(v, i + 1) > 0) {
        ++i;
        continue;
      }
      break;
    }
    p.has_local = true;
    p.local = v.substr(local_begin, i - local_begin);
  }
  if (i != v.size()) return Unexpected(s, i);
  return p;
}

// Release segments compare as tuples with trailing zeros dropped, i.e. as if padded with zeros.
int CompareRelease(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    std::size_t ie = i, je = j;
    while (ie < a.size() && a[ie] != '.') ++ie;
    while (je < b.size() && b[je] != '.') ++je;
    if (const int c = CompareNumbers(a.substr(i, ie - i), b.substr(j, je - j)); c != 0) return c;
    i = ie < a.size() ? ie + 1 : ie;
    j = je < b.size() ? je + 1 : je;
  }
  return 0;
}

// One lower-cased code-point sequence of a local segment, as packaging's `part.lower()` yields it,
// written as UTF-8 (whose byte order is code-point order).
std::string LowerLocalSegment(std::string_view seg) {
  std::string out;
  out.reserve(seg.size() + 2);
  for (std::size_t i = 0; i < seg.size();) {
    const std::string_view rest = seg.substr(i);
    if (rest.starts_with(kUtf8Kelvin)) {
      out += 'k';
      i += kUtf8Kelvin.size();
    } else if (rest.starts_with(kUtf8DottedI)) {
      out += 'i';
      out += kCombiningDot;
      i += kUtf8DottedI.size();
    } else {
      out += Lower(seg[i]);
      ++i;
    }
  }
  return out;
}

bool IsAllDigits(std::string_view seg) {
  for (const char c : seg) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsAscii(std::string_view seg) {
  for (const char c : seg) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

int CompareAlphaSegments(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) {
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t k = 0; k < n; ++k) {
      const char x = Lower(a[k]), y = Lower(b[k]);
      if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
  }
  const int c = LowerLocalSegment(a).compare(LowerLocalSegment(b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Local versions: numeric segments compare numerically and sort after alphanumeric ones, which
// compare case-insensitively; when one is a prefix of the other, the shorter sorts first.
int CompareLocal(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    std::size_t ie = i, je = j;
    while (ie < a.size() && !IsSep(a[ie])) ++ie;
    while (je < b.size() && !IsSep(b[je])) ++je;
    const std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
    const bool xn = IsAllDigits(x), yn = IsAllDigits(y);
    int c;
    if (xn && yn) {
      c = CompareNumbers(x, y);
    } else if (xn != yn) {
      c = xn ? 1 : -1;
    } else {
      c = CompareAlphaSegments(x, y);
    }
    if (c != 0) return c;
    i = ie < a.size() ? ie + 1 : ie;
    j = je < b.size() ? je + 1 : je;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// packaging's _cmpkey: (epoch, release, pre, post, dev, local) with its infinities.
int ComparePre(const Parsed& a, const Parsed& b) {
  // -1: NegativeInfinity (a dev release of the final version: 1.0.dev1 < 1.0a1); +1: Infinity.
  const auto rank = [](const Parsed& p) {
    if (p.has_pre) return 0;
    return (!p.has_post && p.has_dev) ? -1 : 1;
  };
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra != 0) return 0;
  if (a.pre_letter != b.pre_letter) return a.pre_letter < b.pre_letter ? -1 : 1;
  return CompareNumbers(a.pre_num, b.pre_num);
}

int ComparePost(const Parsed& a, const Parsed& b) {
  if (a.has_post != b.has_post) return a.has_post ? 1 : -1;
  if (!a.has_post) return 0;
  if (a.post_letter != b.post_letter) return a.post_letter < b.post_letter ? -1 : 1;
  return CompareNumbers(a.post_num, b.post_num);
}

int CompareDev(const Parsed& a, const Parsed& b) {
  if (a.has_dev != b.has_dev) return a.has_dev ? -1 : 1;
  return a.has_dev ? CompareNumbers(a.dev_num, b.dev_num) : 0;
}

int CompareParsed(const Parsed& a, const Parsed& b) {
  if (const int c = CompareNumbers(a.epoch, b.epoch); c != 0) return c;
  if (const int c = CompareRelease(a.release, b.release); c != 0) return c;
  if (const int c = ComparePre(a, b); c != 0) return c;
  if (const int c = ComparePost(a, b); c != 0) return c;
  if (const int c = CompareDev(a, b); c != 0) return c;
  if (a.has_local != b.has_local) return a.has_local ? 1 : -1;
  return a.has_local ? Sign(CompareLocal(a.local, b.local)) : 0;
}

// packaging < 22's LegacyVersion sort key, for versions PEP 440 rejects ("0.1-bulbasaur", "trunk"):
// the string is split into runs of digits, runs of letters, '.', '-' and the text between them;
// numbers are zero-padded to 8 digits and compared as text, words get a '*' prefix,
// "pre"/"preview"/"rc" read as "c", "dev" as "@", "-" as "final-"; trailing zero runs and a "-"
// before a pre-release tag are dropped, and
// "*final" ends the key. pip installed such versions for years, so installed packages still carry
// them.
std::vector<std::string> LegacyKey(std::string_view v) {
  std::vector<std::string> raw;
  std::string other;  // text between matches ("_", "+", ...)
  const auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  std::string lower(v);
  for (auto& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (std::size_t i = 0; i < lower.size();) {
    std::size_t j = i;
    if (IsDigit(lower[i])) {
      while (j < lower.size() && IsDigit(lower[j])) ++j;
    } else if (is_lower(lower[i])) {
      while (j < lower.size() && is_lower(lower[j])) ++j;
    } else if (lower[i] == '.' || lower[i] == '-') {
      j = i + 1;
    } else {
      other += lower[i++];
      continue;
    }
    raw.push_back(std::move(other));
    other.clear();
    raw.push_back(lower.substr(i, j - i));
    i = j;
  }
  raw.push_back(std::move(other));

  std::vector<std::string> parts;
  const auto add = [&parts](std::string part) {
    if (part[0] == '*') {
      if (part < "*final") {
        while (!parts.empty() && parts.back() == "*final-") parts.pop_back();
      }
      while (!parts.empty() && parts.back() == "00000000") parts.pop_back();
    }
    parts.push_back(std::move(part));
  };
  for (std::string& part : raw) {
    if (part == "pre" || part == "preview" || part == "rc") {
      part = "c";
    } else if (part == "-") {
      part = "final-";
    } else if (part == "dev") {
      part = "@";
    }
    if (part.empty() || part == ".") continue;
    if (IsDigit(part[0])) {
      if (part.size() < 8) part.insert(0, 8 - part.size(), '0');
      add(std::move(part));
    } else {
      add("*" + part);
    }
  }
  add("*final");
  return parts;
}

bool IsBlank(std::string_view s) {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

}  // namespace

Result<int> ComparePypiVersions(std::string_view a, std::string_view b) {
  for (const std::string_view v : {a, b}) {
    if (IsBlank(v)) return InvalidArgument("invalid pypi version '" + std::string(v) + "': empty");
  }
  auto pa = Parse(a);
  auto pb = Parse(b);
  if (pa && pb) return CompareParsed(*pa, *pb);
  // A legacy version orders before every PEP 440 version (its epoch is -1).
  if (pa) return 1;
  if (pb) return -1;
  const auto ka = LegacyKey(a);
  const auto kb = LegacyKey(b);
  if (ka == kb) return 0;
  return ka < kb ? -1 : 1;
}

}  // namespace rampart::agent::vuln
