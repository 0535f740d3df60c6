#include "agent/vuln/version_maven.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace rampart::agent::vuln {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Qualifier ranks of the specification: alpha < beta < milestone < rc < snapshot < "" < sp <
// others.
enum Keyword : int {
  kAlpha = 0,
  kBeta,
  kMilestone,
  kRc,
  kSnapshot,
  kRelease,  // "", ga, final, release
  kSp,
  kUnknown,
};

struct Token {
  char prefix = 0;  // 0 for the first token, then '.' or '-'
  bool number = false;
  bool padding = false;  // a "null" token standing in for a missing one
  int keyword = kUnknown;
  // Numbers: the digits without leading zeros ("" is 0). Unknown qualifiers: the text as written
  // (compared case-insensitively). Known qualifiers: unused.
  std::string_view text;

  bool IsNull() const { return number ? text.empty() : keyword == kRelease; }
};

bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Lexical order of the lower-cased texts, as Go compares strings.
int CompareLowered(std::string_view a, std::string_view b) {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char x = Lower(a[i]), y = Lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Builds the token for one piece; `followed_by_digit` when a digit comes right after it in the same
// '.'/'-' field (the only case where a, b and m abbreviate alpha, beta and milestone).
Token MakeToken(char prefix, std::string_view piece, bool followed_by_digit) {
  Token t;
  t.prefix = prefix;
  if (piece.empty() || IsDigit(piece.front())) {
    t.number = true;
    while (!piece.empty() && piece.front() == '0') piece.remove_prefix(1);
    t.text = piece;
    return t;
  }
  struct Known {
    std::string_view name;
    int keyword;
  };
  static constexpr Known kKnown[] = {
      {"alpha", kAlpha}, {"beta", kBeta},     {"milestone", kMilestone},
      {"rc", kRc},       {"cr", kRc},         {"snapshot", kSnapshot},
      {"ga", kRelease},  {"final", kRelease}, {"release", kRelease},
      {"sp", kSp},
  };
  for (const Known& k : kKnown) {
    if (EqualsIgnoreCase(piece, k.name)) {
      t.keyword = k.keyword;
      return t;
    }
  }
  if (followed_by_digit && piece.size() == 1) {
    switch (Lower(piece.front())) {
      case 'a':
        t.keyword = kAlpha;
        return t;
      case 'b':
        t.keyword = kBeta;
        return t;
      case 'm':
        t.keyword = kMilestone;
        return t;
      default:
        break;
    }
  }
  t.keyword = kUnknown;
  t.text = piece;
  return t;
}

// A token list that lives on the stack for ordinary versions and moves to the heap past 32 tokens.
class TokenList {
 public:
  TokenList() = default;
  TokenList(const TokenList&) = delete;
  TokenList& operator=(const TokenList&) = delete;

  std::size_t size() const { return size_; }
  const Token& operator[](std::size_t i) const { return data()[i]; }
  Token& operator[](std::size_t i) { return data()[i]; }

  void push_back(const Token& t) {
    if (size_ == inline_.size() && heap_.empty()) heap_.assign(inline_.begin(), inline_.end());
    if (heap_.empty()) {
      inline_[size_] = t;
    } else {
      heap_.resize(size_);
      heap_.push_back(t);
    }
    ++size_;
  }
  void erase(std::size_t i) {
    Token* d = data();
    for (std::size_t k = i; k + 1 < size_; ++k) d[k] = d[k + 1];
    --size_;
  }

 private:
  Token* data() { return heap_.empty() ? inline_.data() : heap_.data(); }
  const Token* data() const { return heap_.empty() ? inline_.data() : heap_.data(); }

  std::array<Token, 32> inline_{};
  std::vector<Token> heap_;
  std::size_t size_ = 0;
};

Status Invalid(std::string_view input, std::string_view why) {
  return InvalidArgument("invalid maven version '" + std::string(input) + "': " + std::string(why));
}

Status Tokenize(std::string_view s, TokenList* out) {
  if (s.empty()) return Invalid(s, "empty version");
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      return Invalid(s, "non-ASCII byte at offset " + std::to_string(i) +
                            " (Maven lower-cases and classifies digits by Unicode rules; refusing "
                            "to guess)");
    }
  }
  char prefix = 0;
  std::size_t field_begin = 0;
  while (true) {
    std::size_t field_end = field_begin;
    while (field_end < s.size() && s[field_end] != '.' && s[field_end] != '-') ++field_end;
    const std::string_view field = s.substr(field_begin, field_end - field_begin);
    // Split the field where digits meet non-digits; each such transition acts as a hyphen.
    std::size_t piece_begin = 0;
    char piece_prefix = prefix;
    for (std::size_t k = 1; k <= field.size(); ++k) {
      if (k < field.size() && IsDigit(field[k]) == IsDigit(field[k - 1])) continue;
      const bool more = k < field.size();
      out->push_back(MakeToken(piece_prefix, field.substr(piece_begin, k - piece_begin),
                               more && IsDigit(field[k])));
      piece_begin = k;
      piece_prefix = '-';
    }
    if (field.empty()) out->push_back(MakeToken(prefix, field, false));
    if (field_end == s.size()) break;
    prefix = s[field_end];
    field_begin = field_end + 1;
  }
  // Trim trailing nulls at the end, then again before each remaining hyphen, from end to start.
  std::size_t i = out->size() - 1;
  while (i > 0) {
    if ((*out)[i].IsNull()) {
      out->erase(i);
      --i;
      continue;
    }
    while ((*out)[i].prefix != '-') {
      if (i == 0) return Status::Ok();
      --i;
    }
    if (i == 0) break;
    --i;
  }
  return Status::Ok();
}

bool Equal(const Token& a, const Token& b) {
  if (a.prefix != b.prefix || a.number != b.number) return false;
  if (a.number) return a.text == b.text;
  if (a.keyword != b.keyword) return false;
  return a.keyword != kUnknown || CompareLowered(a.text, b.text) == 0;
}

// The null token the shorter version is padded with, given the other version's token there.
Token Padding(const Token& other) {
  Token t;
  t.prefix = other.prefix;
  t.padding = true;
  if (other.prefix == '.' && !(other.keyword == kSp && !other.number)) {
    t.number = true;  // "0"
  } else {
    t.keyword = kRelease;  // ""
  }
  return t;
}

// Rank of the prefixed token: ".qualifier" < "-qualifier" < "-number" < ".number".
int PrefixRank(const Token& t) {
  if (t.number) return t.prefix == '-' ? 2 : 3;
  return t.prefix == '-' ? 1 : 0;
}

// Qualifier order of a token in the keyword table; a padding zero is the unknown qualifier "0".
int KeywordOf(const Token& t) { return t.number ? kUnknown : t.keyword; }
std::string_view TextOf(const Token& t) { return t.number ? std::string_view("0") : t.text; }

bool Less(const Token& v, const Token& w) {
  if (v.prefix != w.prefix) return PrefixRank(v) < PrefixRank(w);
  if (v.number && w.number) return CompareNumbers(v.text, w.text) < 0;
  // Numbers sort after qualifiers, unless the number is padding.
  if (v.number && !v.padding) return false;
  if (w.number && !w.padding) return true;
  const int kv = KeywordOf(v), kw = KeywordOf(w);
  if (kv == kUnknown && kw == kUnknown) return CompareLowered(TextOf(v), TextOf(w)) < 0;
  return kv < kw;
}

int CompareTokens(const TokenList& a, const TokenList& b) {
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Token l = i < a.size() ? a[i] : Padding(b[i]);
    const Token r = i < b.size() ? b[i] : Padding(a[i]);
    if (Equal(l, r)) continue;
    return Less(l, r) ? -1 : 1;
  }
  return 0;
}

}  // namespace

Result<int> CompareMavenVersions(std::string_view a, std::string_view b) {
  TokenList ta, tb;
  RAMPART_RETURN_IF_ERROR(Tokenize(a, &ta));
  RAMPART_RETURN_IF_ERROR(Tokenize(b, &tb));
  return CompareTokens(ta, tb);
}

}  // namespace rampart::agent::vuln
