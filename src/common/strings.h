#pragma once
// String helpers shared by every parser. All are pure and allocation-light; none throws.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace rampart {

// Prefix and suffix tests. StartsWith compares the first byte inline: in parsers that try many
// prefixes on a line, most fail there without a memcmp call.
inline bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && (p.empty() || s[0] == p[0]) && s.substr(0, p.size()) == p;
}
inline bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
// When *s starts (ends) with p: removes it and returns true; otherwise leaves *s and returns false.
inline bool ConsumePrefix(std::string_view* s, std::string_view p) {
  if (!StartsWith(*s, p)) return false;
  s->remove_prefix(p.size());
  return true;
}
inline bool ConsumeSuffix(std::string_view* s, std::string_view p) {
  if (!EndsWith(*s, p)) return false;
  s->remove_suffix(p.size());
  return true;
}

// Whitespace is ' ', '\t', '\n', '\r', '\v', '\f'.
std::string_view TrimView(std::string_view s);
std::string Trim(std::string_view s);

// Splits on `sep`, keeping empty fields ("a::b" -> {"a", "", "b"}).
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on runs of whitespace, dropping empty fields.
std::vector<std::string_view> SplitWhitespace(std::string_view s);
// Splits into lines on '\n', dropping a trailing '\r' from each; a final empty line is not
// returned.
std::vector<std::string_view> SplitLines(std::string_view s);
// Calls fn(line) for each '\n'-separated line of text, a trailing '\r' dropped, without allocating
// (a final empty line is not passed). For hot parsers; SplitLines is simpler where a vector is
// fine.
template <typename Fn>
void ForEachLineOf(std::string_view text, Fn&& fn) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    start = nl + 1;
  }
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep);

std::string ToLower(std::string_view s);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);
// Equal when ASCII letters are compared without case (HTTP header names, config keywords).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Integer parsing of the whole string (no sign for unsigned, no spaces). nullopt on anything else.
template <typename T>
std::optional<T> ParseInt(std::string_view s, int base = 10) {
  T value{};
  if (s.empty()) return std::nullopt;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value, base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}
std::optional<double> ParseDouble(std::string_view s);

// Shell-style unquoting for KEY=VALUE files (os-release, /etc/environment): strips one level of
// matching single or double quotes and, inside double quotes or unquoted text, backslash escapes.
std::string Unquote(std::string_view value);

// Parses "KEY=VALUE" lines (comments with '#', blank lines and "export " prefixes skipped). Later
// keys win. Lines without '=' or with an invalid key are ignored.
struct KeyValue {
  std::string key;
  std::string value;
  std::size_t line;  // 1-based
};
std::vector<KeyValue> ParseKeyValueLines(std::string_view text);

// Lookup in the result of ParseKeyValueLines; the last match wins.
std::optional<std::string> FindValue(const std::vector<KeyValue>& kvs, std::string_view key);

// True when `s` is a valid shell variable name ([A-Za-z_][A-Za-z0-9_]*).
bool IsShellName(std::string_view s);

// Replaces bytes that are not printable ASCII or valid UTF-8 text with '?' (for table output).
std::string Printable(std::string_view s);

// "30s", "15m", "24h", "7d" (a positive integer and one unit s, m, h or d) -> seconds; nullopt for
// anything else or more than ten years (which keeps now + duration far from overflow).
std::optional<std::int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace rampart
