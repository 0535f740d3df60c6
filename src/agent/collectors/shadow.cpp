#include "agent/collectors/shadow.h"

#include "common/strings.h"

namespace rampart::agent {
namespace {

bool IsCryptChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

bool AllCryptChars(std::string_view s) {
  for (char c : s) {
    if (!IsCryptChar(c)) return false;
  }
  return true;
}

std::string_view StripLocks(std::string_view field) {
  while (!field.empty() && field.front() == '!') field.remove_prefix(1);
  return field;
}

std::optional<std::int64_t> Days(std::string_view f) {
  auto v = ParseInt<std::int64_t>(TrimView(f));
  if (!v || *v < 0 || *v > 10'000'000) return std::nullopt;
  return v;
}

}  // namespace

std::string_view PasswordStatusName(PasswordStatus s) {
  switch (s) {
    case PasswordStatus::kSet:
      return "set";
    case PasswordStatus::kEmpty:
      return "empty";
    case PasswordStatus::kLocked:
      return "locked";
    case PasswordStatus::kNone:
      return "none";
  }
  return "none";
}

bool LooksLikeCryptHash(std::string_view f) {
  if (f.empty()) return false;
  if (f.front() == '$') {
    // "$id$[params$]salt$hash": an id and at least a salt and a hash part.
    const auto parts = Split(f.substr(1), '$');
    if (parts.size() < 3 || parts[0].empty() || parts.back().empty()) return false;
    for (char c : f) {
      if (c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '*' || c == '!') return false;
    }
    return true;
  }
  if (f.front() == '_') return f.size() == 20 && AllCryptChars(f.substr(1));
  return f.size() == 13 && AllCryptChars(f);
}

PasswordStatus ClassifyPassword(std::string_view field) {
  if (field.empty()) return PasswordStatus::kEmpty;
  const std::string_view rest = StripLocks(field);
  if (LooksLikeCryptHash(rest)) {
    return rest.size() == field.size() ? PasswordStatus::kSet : PasswordStatus::kLocked;
  }
  return PasswordStatus::kNone;
}

std::string HashType(std::string_view field) {
  const std::string_view f = StripLocks(field);
  if (!LooksLikeCryptHash(f)) return "";
  if (f.front() == '_') return "bsdi";
  if (f.front() != '$') return "des";
  const std::string_view id = f.substr(1, f.find('$', 1) - 1);
  if (id == "y") return "yescrypt";
  if (id == "gy") return "gost-yescrypt";
  if (id == "7") return "scrypt";
  if (id == "6") return "sha512";
  if (id == "5") return "sha256";
  if (id == "1") return "md5";
  if (id == "2a" || id == "2b" || id == "2x" || id == "2y") return "bcrypt";
  if (id == "sha1") return "sha1";
  if (id == "md5") return "sunmd5";
  return "unknown";
}

bool ParseShadowLine(std::string_view line, ShadowEntry* out) {
  if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
    return false;
  const auto f = Split(line, ':');
  if ((f.size() != 9 && f.size() != 8) || f[0].empty()) return false;
  out->name = std::string(f[0]);
  out->status = ClassifyPassword(f[1]);
  out->hash_type = HashType(f[1]);
  out->last_change = Days(f[2]);
  out->min_days = Days(f[3]);
  out->max_days = Days(f[4]);
  out->warn_days = Days(f[5]);
  out->inactive_days = Days(f[6]);
  out->expire = Days(f[7]);
  return true;
}

std::vector<ShadowEntry> ParseShadow(std::string_view text, std::size_t max_entries) {
  std::vector<ShadowEntry> out;
  std::size_t n = 0;
  for (std::string_view line : SplitLines(text)) {
    ++n;
    if (out.size() >= max_entries) break;
    ShadowEntry e;
    if (ParseShadowLine(line, &e)) {
      e.line = n;
      out.push_back(std::move(e));
    }
  }
  return out;
}

std::optional<std::vector<ShadowEntry>> ReadShadow(const HostView& host, std::size_t max_entries) {
  std::vector<ShadowEntry> out;
  std::size_t n = 0;
  const Status st = host.ForEachLine(
      "/etc/shadow",
      [&](std::string_view line) {
        ++n;
        ShadowEntry e;
        if (ParseShadowLine(line, &e)) {
          e.line = n;
          out.push_back(std::move(e));
        }
        return out.size() < max_entries;
      },
      64 << 10);
  if (!st.ok()) return std::nullopt;
  return out;
}

}  // namespace rampart::agent
