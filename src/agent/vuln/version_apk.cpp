#include "agent/vuln/version_apk.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace rampart::agent::vuln {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }
constexpr bool IsHexLower(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

// Token kinds in apk-tools' order, which is the order of the tail rule: when two versions agree up
// to a point and then continue with different kinds, the kind later in this list is the OLDER
// version (a pre-release suffix excepted: it is older than anything). kHash is apk 3's "~<hash>",
// placed where apk 3 places it. kEmpty and kInvalid are the two ways a malformed version stops
// parsing; apk 3 ranks "invalid" below everything, which the golden fixtures follow.
enum Tok : int {
  kDigitOrZero,  // a component after '.': leading zeros are special
  kDigit,        // the first component, digits after a letter, digits after a zero run
  kLetter,
  kSuffix,
  kSuffixNo,
  kHash,
  kRevision,
  kEnd,
  kEmpty,    // a digit component with no digits: a leading non-digit or '.' followed by a non-digit
  kInvalid,  // apk-tools' TOKEN_INVALID: the version stops parsing here
};

// A token's value. Numbers are digit strings compared by value at any length; kSmall holds a zero
// run (negative: -count, older than any number), a letter or a suffix weight; kBytes a commit hash.
struct Value {
  enum Kind { kSmall, kNum, kBytes } kind = kNum;
  std::int64_t small = 0;
  std::string_view text;
};

int CompareNumbers(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  if (a.empty()) return 0;
  const int c = std::memcmp(a.data(), b.data(), a.size());
  return (c > 0) - (c < 0);
}

int CompareValues(const Value& a, const Value& b) {
  if (a.kind != b.kind) return a.kind == Value::kSmall ? -1 : 1;  // only a zero run meets a number
  switch (a.kind) {
    case Value::kNum:
      return CompareNumbers(a.text, b.text);
    case Value::kSmall:
      return (a.small > b.small) - (a.small < b.small);
    case Value::kBytes: {
      const std::size_t n = a.text.size() < b.text.size() ? a.text.size() : b.text.size();
      const int c = n == 0 ? 0 : std::memcmp(a.text.data(), b.text.data(), n);
      if (c != 0) return (c > 0) - (c < 0);
      return (a.text.size() > b.text.size()) - (a.text.size() < b.text.size());
    }
  }
  return 0;
}

struct Suffix {
  std::string_view name;
  int weight;  // negative: pre-release
};
// apk-tools matches these by prefix, pre-release names first, in this order.
constexpr Suffix kSuffixes[] = {{"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1}, {"cvs", 0},
                                {"svn", 1},    {"git", 2},   {"hg", 3},   {"p", 4}};

// Walks one version token by token: `next_` is the kind of the token that Get() reads next
// (apk-tools' `type` after next_token()).
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {
    if (s_.empty()) {
      next_ = kEnd;
    } else if (IsDigit(s_[0])) {
      next_ = kDigit;
    } else {
      next_ = kEmpty;
      empty_state_ = kDigit;
    }
  }

  Tok next() const { return next_; }
  bool next_is_pre_release_suffix() const { return next_ == kSuffix && suffix_weight_ < 0; }

  // REQUIRES: next() is neither kEnd nor kInvalid.
  Value Get() {
    const Tok type = next_ == kEmpty ? empty_state_ : next_;
    Value v;
    if (pos_ >= s_.size()) {  // a separator at the very end ("1.", "1-r", "1_"): apk reads 0
      if (type == kSuffix) {
        v.kind = Value::kSmall;
        v.small = suffix_weight_;
      }
      next_ = kEnd;
      return v;
    }
    switch (type) {
      case kDigitOrZero:
        if (s_[pos_] == '0') {
          // apk-tools 2.x: a run of leading zeros is a token worth -(its length), and the digits
          // after it a separate kDigit token, so 1.05 < 1.1 and 1.0 > 1.00.
          const std::size_t start = pos_;
          while (pos_ < s_.size() && s_[pos_] == '0') ++pos_;
          v.kind = Value::kSmall;
          v.small = -static_cast<std::int64_t>(pos_ - start);
          next_ = pos_ == s_.size() ? kEnd : kDigit;
          return v;
        }
        [[fallthrough]];
      case kDigit:
      case kSuffixNo:
      case kRevision: {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
        v.text = s_.substr(start, pos_ - start);
        break;
      }
      case kLetter:
        v.kind = Value::kSmall;
        v.small = static_cast<unsigned char>(s_[pos_++]);
        break;
      case kSuffix:
        v.kind = Value::kSmall;
        v.small = suffix_weight_;
        pos_ += suffix_length_;
        break;
      case kHash: {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && IsHexLower(s_[pos_])) ++pos_;
        v.kind = Value::kBytes;
        v.text = s_.substr(start, pos_ - start);
        break;
      }
      default:
        break;
    }
    if (pos_ >= s_.size()) {
      next_ = kEnd;
    } else {
      Advance(type);
    }
    return v;
  }

 private:
  // apk-tools' next_token(): the kind of the token after one of kind `state`, consuming its
  // separator. REQUIRES: pos_ < size.
  void Advance(Tok state) {
    const char c = s_[pos_];
    Tok n = kInvalid;
    if ((state == kDigit || state == kDigitOrZero) && IsLower(c)) {
      n = kLetter;
    } else if (state == kLetter && IsDigit(c)) {
      n = kDigit;
    } else if (state == kSuffix && IsDigit(c)) {
      n = kSuffixNo;
    } else {
      switch (c) {
        case '.':
          n = kDigitOrZero;
          break;
        case '_':
          n = kSuffix;
          break;
        case '-':
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == 'r') {
            n = kRevision;
            ++pos_;
          }
          break;
        case '~':
          n = state < kHash ? kHash : kInvalid;
          break;
        default:
          break;
      }
      ++pos_;
    }
    if (n < state && !((n == kDigitOrZero && state == kDigit) ||
                       (n == kSuffix && state == kSuffixNo) || (n == kDigit && state == kLetter))) {
      n = kInvalid;
    }
    next_ = n;
    const bool at_end = pos_ >= s_.size();
    switch (n) {
      case kDigitOrZero:
        if (!at_end && !IsDigit(s_[pos_])) {
          next_ = kEmpty;
          empty_state_ = kDigitOrZero;
        }
        break;
      case kSuffix:
        ClassifySuffix();
        break;
      case kRevision:
        // "-r" starting a word ("1-ruff") is not a revision.
        if (!at_end && IsAlpha(s_[pos_])) next_ = kInvalid;
        break;
      case kHash:
        if (at_end || !IsHexLower(s_[pos_])) next_ = kInvalid;
        break;
      default:
        break;
    }
  }

  // apk-tools reads a suffix name by prefix; an unknown name makes the version invalid, and a bare
  // '_' at the end reads as weight 0 (the weight of "cvs").
  void ClassifySuffix() {
    suffix_weight_ = 0;
    suffix_length_ = 0;
    if (pos_ >= s_.size()) return;
    const std::string_view rest = s_.substr(pos_);
    for (const Suffix& suffix : kSuffixes) {
      if (rest.substr(0, suffix.name.size()) == suffix.name) {
        suffix_weight_ = suffix.weight;
        suffix_length_ = suffix.name.size();
        return;
      }
    }
    next_ = kInvalid;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  Tok next_ = kDigit;
  Tok empty_state_ = kDigit;  // the apk-tools state a kEmpty token stands in for
  int suffix_weight_ = 0;
  std::size_t suffix_length_ = 0;
};

Status Invalid(std::string_view version, std::string_view why) {
  constexpr std::size_t kMaxShown = 200;
  std::string shown(version.substr(0, kMaxShown));
  if (version.size() > kMaxShown) shown += "...";
  return InvalidArgument("invalid apk version '" + shown + "': " + std::string(why));
}

Status CheckAccepted(std::string_view version) {
  if (version.empty()) return Invalid(version, "empty version");
  if (version.find('\0') != std::string_view::npos) return Invalid(version, "contains a NUL byte");
  return Status::Ok();
}

}  // namespace

Result<int> CompareApkVersions(std::string_view a, std::string_view b) {
  RAMPART_RETURN_IF_ERROR(CheckAccepted(a));
  RAMPART_RETURN_IF_ERROR(CheckAccepted(b));
  Lexer la(a);
  Lexer lb(b);
  while (la.next() == lb.next() && la.next() != kEnd && la.next() != kInvalid) {
    const Value va = la.Get();
    const Value vb = lb.Get();
    if (const int c = CompareValues(va, vb); c != 0) return c;
  }
  if (la.next() == lb.next()) return 0;
  // Equal so far: the version that goes on is newer, unless it goes on with a pre-release suffix.
  if (la.next_is_pre_release_suffix()) return -1;
  if (lb.next_is_pre_release_suffix()) return 1;
  return la.next() > lb.next() ? -1 : 1;
}

bool IsWellFormedApkVersion(std::string_view version) {
  if (!CheckAccepted(version).ok()) return false;
  Lexer lexer(version);
  while (lexer.next() != kEnd) {
    if (lexer.next() == kEmpty || lexer.next() == kInvalid) return false;
    (void)lexer.Get();
  }
  return true;
}

}  // namespace rampart::agent::vuln
