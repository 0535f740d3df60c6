#include "agent/collectors/software_dpkg.h"

#include <cstring>
#include <string>

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

// A status file larger than this is not a dpkg database (big Debian hosts have ~10 MB).
constexpr std::size_t kMaxStatusBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxPackages = 500'000;

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Field names are case-insensitive in deb822; `want` is lower case.
bool KeyIs(std::string_view key, std::string_view want) {
  if (key.size() != want.size()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (LowerAscii(key[i]) != want[i]) return false;
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Sets the field only the first time it appears in a stanza.
void SetOnce(std::string_view* field, bool* seen, std::string_view value) {
  if (*seen) return;
  *seen = true;
  *field = value;
}

struct StanzaBuilder {
  DpkgStanza stanza;
  bool seen[8] = {};
  bool any = false;

  void Field(std::string_view key, std::string_view value) {
    any = true;
    // Dispatch on the length first: most lines are Package/Status/Version/Depends/Description.
    switch (key.size()) {
      case 6:
        if (KeyIs(key, "status")) SetOnce(&stanza.status, &seen[1], value);
        if (KeyIs(key, "source")) SetOnce(&stanza.source, &seen[4], value);
        break;
      case 7:
        if (KeyIs(key, "package")) SetOnce(&stanza.package, &seen[0], value);
        if (KeyIs(key, "version")) SetOnce(&stanza.version, &seen[2], value);
        break;
      case 10:
        if (KeyIs(key, "maintainer")) SetOnce(&stanza.maintainer, &seen[5], value);
        if (KeyIs(key, "multi-arch")) SetOnce(&stanza.multi_arch, &seen[7], value);
        break;
      case 12:
        if (KeyIs(key, "architecture")) SetOnce(&stanza.architecture, &seen[3], value);
        break;
      case 14:
        if (KeyIs(key, "installed-size")) SetOnce(&stanza.installed_size, &seen[6], value);
        break;
      default:
        break;
    }
  }

  template <typename Fn>
  void Flush(Fn& fn) {
    if (any && !stanza.package.empty()) fn(static_cast<const DpkgStanza&>(stanza));
    *this = StanzaBuilder{};
  }
};

template <typename Fn>
void ParseStanzas(std::string_view text, Fn&& fn) {
  StanzaBuilder b;
  ForEachLineOf(text, [&](std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i == line.size()) {  // empty or blank: end of stanza
      b.Flush(fn);
      return;
    }
    if (i > 0) return;  // continuation line of a multi-line field
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;  // not a field: skip the line
    std::string_view key = line.substr(0, colon);
    while (!key.empty() && IsBlank(key.back())) key.remove_suffix(1);
    b.Field(key, TrimView(line.substr(colon + 1)));
  });
  b.Flush(fn);
}

bool IsKnownPresentState(std::string_view state) {
  return state == "installed" || state == "half-installed" || state == "unpacked" ||
         state == "half-configured" || state == "triggers-awaiting" || state == "triggers-pending";
}

// install_time: mtime of the package's file list. dpkg names it <pkg>:<arch>.list for Multi-Arch:
// same packages and <pkg>.list otherwise; try the likely one first.
std::optional<std::int64_t> ListMtime(const HostView& host, const std::string& info_dir,
                                      const DpkgStanza& s) {
  std::string plain = info_dir;
  plain.append(s.package).append(".list");
  std::string qualified = info_dir;
  qualified.append(s.package).append(":").append(s.architecture).append(".list");
  const bool same = s.multi_arch == "same" && !s.architecture.empty();
  for (const std::string* path : {same ? &qualified : &plain, same ? &plain : &qualified}) {
    if (s.architecture.empty() && path == &qualified) continue;
    auto st = host.Stat(*path);
    if (st && st->is_regular()) return st->mtime;
  }
  return std::nullopt;
}

}  // namespace

void ForEachDpkgStanza(std::string_view text, const std::function<void(const DpkgStanza&)>& fn) {
  ParseStanzas(text, fn);
}

std::vector<DpkgStanza> ParseDpkgStatus(std::string_view text) {
  std::vector<DpkgStanza> out;
  // Roughly one stanza per 900 bytes on Debian; a cheap guess saves reallocations.
  out.reserve(text.size() / 900 + 1);
  ParseStanzas(text, [&out](const DpkgStanza& s) { out.push_back(s); });
  return out;
}

DpkgStatus ParseDpkgStatusField(std::string_view status) {
  DpkgStatus out;
  std::string_view words[3];
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < status.size()) {
    while (i < status.size() && IsBlank(status[i])) ++i;
    if (i >= status.size()) break;
    std::size_t j = i;
    while (j < status.size() && !IsBlank(status[j])) ++j;
    if (n == 3) return out;  // more than three words: malformed
    words[n++] = status.substr(i, j - i);
    i = j;
  }
  if (n != 3) return out;
  out.want = words[0];
  out.eflag = words[1];
  out.state = words[2];
  return out;
}

bool DpkgPackageIsPresent(std::string_view status_field) {
  return IsKnownPresentState(ParseDpkgStatusField(status_field).state);
}

DpkgSource ParseDpkgSource(std::string_view source_field) {
  DpkgSource out;
  source_field = TrimView(source_field);
  const std::size_t open = source_field.find('(');
  if (open == std::string_view::npos) {
    out.name = source_field;
    return out;
  }
  out.name = TrimView(source_field.substr(0, open));
  const std::size_t close = source_field.find(')', open);
  if (close != std::string_view::npos) {
    out.version = TrimView(source_field.substr(open + 1, close - open - 1));
  }
  return out;
}

std::optional<std::int64_t> DpkgVersionEpoch(std::string_view version) {
  const std::size_t colon = version.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return ParseInt<std::int64_t>(TrimView(version.substr(0, colon)));
}

std::vector<SoftwarePackage> ReadDpkgPackages(const HostView& host, std::string_view admindir) {
  std::vector<SoftwarePackage> out;
  std::string status_path(admindir);
  status_path += "/status";
  auto text = host.ReadFile(status_path, kMaxStatusBytes);
  if (!text) {
    log::Debug("software: no dpkg database: {}", text.error().ToString());
    return out;
  }
  const std::string info_dir = std::string(admindir) + "/info/";
  ParseStanzas(*text, [&](const DpkgStanza& s) {
    if (out.size() >= kMaxPackages || !DpkgPackageIsPresent(s.status)) return;
    SoftwarePackage pkg;
    pkg.type = "deb";
    pkg.name = s.package;
    pkg.version = s.version;
    pkg.arch = s.architecture;
    const DpkgSource src = ParseDpkgSource(s.source);
    pkg.source_name = src.name.empty() ? s.package : src.name;
    pkg.source_version = src.version.empty() ? s.version : src.version;
    pkg.install_time = ListMtime(host, info_dir, s);
    pkg.path = status_path;
    pkg.epoch = DpkgVersionEpoch(s.version);
    if (auto kib = ParseInt<std::int64_t>(s.installed_size);
        kib && *kib >= 0 && *kib < (std::int64_t{1} << 40)) {
      pkg.size = *kib * 1024;
    }
    pkg.status = s.status;
    pkg.maintainer = s.maintainer;
    out.push_back(std::move(pkg));
  });
  return out;
}

}  // namespace rampart::agent
