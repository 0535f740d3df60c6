#include "agent/collectors/systemd_unit.h"

#include <algorithm>

#include "common/strings.h"

namespace rampart::agent {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool IsComment(std::string_view trimmed) {
  return !trimmed.empty() && (trimmed.front() == '#' || trimmed.front() == ';');
}

// Parses one logical line into `out` (section tracking in `section`).
void ParseLogicalLine(std::string_view logical, std::size_t line_no, std::string* section,
                      std::vector<UnitAssignment>* out) {
  const std::string_view l = TrimView(logical);
  if (l.empty() || IsComment(l)) return;
  if (l.front() == '[') {
    if (l.back() == ']' && l.size() >= 2) {
      *section = std::string(TrimView(l.substr(1, l.size() - 2)));
    } else {
      *section = "";  // a malformed header: drop assignments until the next good one
    }
    return;
  }
  if (section->empty()) return;
  const std::size_t eq = l.find('=');
  if (eq == std::string_view::npos || eq == 0) return;
  const std::string_view key = TrimView(l.substr(0, eq));
  if (key.empty()) return;
  if (out->size() >= kMaxUnitAssignments) return;
  out->push_back(
      UnitAssignment{*section, std::string(key), std::string(TrimView(l.substr(eq + 1))), line_no});
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes systemd-escape: "\x2d" -> '-', then '-' -> '/' (the "unescaped" specifier forms).
std::string UnescapeUnitPart(std::string_view s, bool path) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i >= 4 && s[i + 1] == 'x') {
      const int hi = HexValue(s[i + 2]);
      const int lo = HexValue(s[i + 3]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 3;
        continue;
      }
    }
    out.push_back(path && s[i] == '-' ? '/' : s[i]);
  }
  return out;
}

}  // namespace

std::vector<UnitAssignment> ParseUnitFile(std::string_view text) {
  std::vector<UnitAssignment> out;
  std::string section;
  std::string pending;  // a logical line being continued
  bool continuing = false;
  bool bad = false;  // the logical line holds a NUL or is too long
  std::size_t first_line = 0;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    // systemd strips every physical line before looking for comments and continuations.
    line = TrimView(line);
    if (continuing && IsComment(line)) continue;
    if (!continuing) {
      first_line = line_no;
      pending.clear();
      bad = false;
    }
    if (line.find('\0') != std::string_view::npos) bad = true;
    const bool continues = !line.empty() && line.back() == '\\';
    if (continues) line.remove_suffix(1);
    if (!bad) {
      if (pending.size() + line.size() + 1 > kMaxUnitLogicalLine) {
        bad = true;
        pending.clear();
      } else {
        pending.append(line);
        if (continues) pending.push_back(' ');  // the backslash becomes a space
      }
    }
    continuing = continues;
    if (!continuing && !bad) ParseLogicalLine(pending, first_line, &section, &out);
  }
  if (continuing && !bad) ParseLogicalLine(pending, first_line, &section, &out);
  return out;
}

void UnitConfig::Apply(const std::vector<UnitAssignment>& assignments) {
  const std::size_t room = assignments_.size() < 4 * kMaxUnitAssignments
                               ? 4 * kMaxUnitAssignments - assignments_.size()
                               : 0;
  const std::size_t n = std::min(room, assignments.size());
  assignments_.insert(assignments_.end(), assignments.begin(),
                      assignments.begin() + static_cast<std::ptrdiff_t>(n));
}

std::string UnitConfig::Get(std::string_view section, std::string_view key) const {
  for (auto it = assignments_.rbegin(); it != assignments_.rend(); ++it) {
    if (it->section == section && it->key == key) return it->value;
  }
  return "";
}

std::vector<std::string> UnitConfig::GetList(std::string_view section, std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& a : assignments_) {
    if (a.section != section || a.key != key) continue;
    if (a.value.empty()) {
      out.clear();
    } else {
      out.push_back(a.value);
    }
  }
  return out;
}

std::vector<std::string> UnitConfig::GetSharedList(
    std::string_view section, const std::vector<std::string_view>& keys) const {
  std::vector<std::string> out;
  for (const auto& a : assignments_) {
    if (a.section != section) continue;
    if (std::find(keys.begin(), keys.end(), a.key) == keys.end()) continue;
    if (a.value.empty()) {
      out.clear();
    } else {
      out.push_back(a.key + "=" + a.value);
    }
  }
  return out;
}

std::string StripExecPrefixes(std::string_view exec) {
  std::string_view s = TrimView(exec);
  bool argv0 = false;
  while (!s.empty() && std::string_view("-@:+!|").find(s.front()) != std::string_view::npos) {
    if (s.front() == '@') argv0 = true;
    s.remove_prefix(1);
  }
  s = TrimView(s);
  if (!argv0) return std::string(s);
  // Drop the second word (argv[0]); the first (the path) is never quoted in practice, but honour
  // quotes.
  std::size_t i = 0;
  while (i < s.size() && !IsBlank(s[i])) ++i;
  std::string out(s.substr(0, i));
  while (i < s.size() && IsBlank(s[i])) ++i;
  char quote = 0;
  std::size_t j = i;
  for (; j < s.size(); ++j) {
    const char c = s[j];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && j + 1 < s.size()) {
      ++j;
    } else if (IsBlank(c)) {
      break;
    }
  }
  const std::string_view rest = TrimView(s.substr(j));
  if (!rest.empty()) {
    out.push_back(' ');
    out.append(rest);
  }
  return out;
}

std::vector<std::string> SplitUnitCommandLine(std::string_view cmdline) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < cmdline.size(); ++i) {
    const char c = cmdline[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < cmdline.size()) {
        cur.push_back(cmdline[++i]);
      } else {
        cur.push_back(c);
      }
      continue;
    }
    if (IsBlank(c) || c == '\n') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && i + 1 < cmdline.size()) {
      cur.push_back(cmdline[++i]);
    } else {
      cur.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

std::string UnitName::TemplateName() const {
  if (!is_instance()) return prefix + (has_at ? "@" : "") + instance + suffix;
  return prefix + "@" + suffix;
}

bool ParseUnitName(std::string_view name, UnitName* out) {
  if (name.empty() || name.size() > 256) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
    if (!ok) return false;
  }
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return false;
  const std::string_view stem = name.substr(0, dot);
  out->suffix = std::string(name.substr(dot));
  const std::size_t at = stem.find('@');
  out->has_at = at != std::string_view::npos;
  if (out->has_at) {
    if (at == 0) return false;
    out->prefix = std::string(stem.substr(0, at));
    out->instance = std::string(stem.substr(at + 1));
  } else {
    out->prefix = std::string(stem);
    out->instance.clear();
  }
  return true;
}

std::string ExpandSpecifiers(std::string_view text, const UnitName& unit) {
  std::string out;
  out.reserve(text.size());
  const std::string full = unit.prefix + (unit.has_at ? "@" + unit.instance : "") + unit.suffix;
  const std::string stem = full.substr(0, full.size() - unit.suffix.size());
  const std::string_view first_dash =
      std::string_view(unit.prefix).substr(0, std::min(unit.prefix.size(), unit.prefix.find('-')));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char spec = text[++i];
    switch (spec) {
      case '%':
        out.push_back('%');
        break;
      case 'n':
        out += full;
        break;
      case 'N':
        out += stem;
        break;
      case 'p':
        out += unit.prefix;
        break;
      case 'P':
        out += UnescapeUnitPart(unit.prefix, true);
        break;
      case 'i':
        out += unit.instance;
        break;
      case 'I':
        out += UnescapeUnitPart(unit.instance, true);
        break;
      case 'j':
        out += first_dash;
        break;
      case 'J':
        out += UnescapeUnitPart(first_dash, true);
        break;
      case 'f':
        out += "/" + UnescapeUnitPart(unit.has_at ? unit.instance : unit.prefix, true);
        break;
      default:
        out.push_back('%');
        out.push_back(spec);
    }
  }
  return out;
}

std::vector<ListedUnit> ParseListUnits(std::string_view text) {
  std::vector<ListedUnit> out;
  for (std::string_view line : SplitLines(text)) {
    auto f = SplitWhitespace(line);
    if (!f.empty() && (f[0] == "\xe2\x97\x8f" || f[0] == "*")) f.erase(f.begin());
    if (f.size() < 4) continue;
    UnitName parsed;
    if (!ParseUnitName(f[0], &parsed)) continue;
    out.push_back(
        ListedUnit{std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[3])});
  }
  return out;
}

}  // namespace rampart::agent
