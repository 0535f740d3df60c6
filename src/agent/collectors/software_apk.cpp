#include "agent/collectors/software_apk.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxInstalledBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxPackages = 200'000;
constexpr std::string_view kInstalledPath = "/lib/apk/db/installed";

struct Builder {
  ApkStanza stanza;
  unsigned seen = 0;  // bit per field, so a repeated field keeps its first value
  bool any = false;

  void Set(std::string_view* field, unsigned bit, std::string_view value) {
    if ((seen & bit) != 0) return;
    seen |= bit;
    *field = value;
  }

  void Field(char key, std::string_view value) {
    any = true;
    switch (key) {
      case 'P':
        Set(&stanza.name, 1u << 0, value);
        break;
      case 'V':
        Set(&stanza.version, 1u << 1, value);
        break;
      case 'A':
        Set(&stanza.arch, 1u << 2, value);
        break;
      case 'o':
        Set(&stanza.origin, 1u << 3, value);
        break;
      case 'm':
        Set(&stanza.maintainer, 1u << 4, value);
        break;
      case 't':
        Set(&stanza.build_time, 1u << 5, value);
        break;
      case 'I':
        Set(&stanza.installed_size, 1u << 6, value);
        break;
      case 'L':
        Set(&stanza.license, 1u << 7, value);
        break;
      default:
        break;  // F R Z a M C S T U c D p i q r ...: not needed
    }
  }

  template <typename Fn>
  void Flush(Fn& fn) {
    if (any && !stanza.name.empty()) fn(static_cast<const ApkStanza&>(stanza));
    *this = Builder{};
  }
};

template <typename Fn>
void ParseStanzas(std::string_view text, Fn&& fn) {
  Builder b;
  ForEachLineOf(text, [&](std::string_view line) {
    if (TrimView(line).empty()) {
      b.Flush(fn);
      return;
    }
    if (line.size() < 2 || line[1] != ':') return;  // not an "X:value" line
    b.Field(line[0], TrimView(line.substr(2)));
  });
  b.Flush(fn);
}

}  // namespace

void ForEachApkStanza(std::string_view text, const std::function<void(const ApkStanza&)>& fn) {
  ParseStanzas(text, fn);
}

std::vector<ApkStanza> ParseApkInstalled(std::string_view text) {
  std::vector<ApkStanza> out;
  ParseStanzas(text, [&out](const ApkStanza& s) { out.push_back(s); });
  return out;
}

std::vector<SoftwarePackage> ReadApkPackages(const HostView& host) {
  std::vector<SoftwarePackage> out;
  auto text = host.ReadFile(kInstalledPath, kMaxInstalledBytes);
  if (!text) {
    log::Debug("software: no apk database: {}", text.error().ToString());
    return out;
  }
  ParseStanzas(*text, [&](const ApkStanza& s) {
    if (out.size() >= kMaxPackages) return;
    SoftwarePackage pkg;
    pkg.type = "apk";
    pkg.name = s.name;
    pkg.version = s.version;
    pkg.arch = s.arch;
    pkg.source_name = s.origin.empty() ? s.name : s.origin;
    // apk keeps no source version: a subpackage is always built with its origin's version.
    pkg.source_version = s.version;
    pkg.path = std::string(kInstalledPath);
    if (auto t = ParseInt<std::int64_t>(s.build_time); t && *t > 0) pkg.build_time = t;
    if (auto size = ParseInt<std::int64_t>(s.installed_size); size && *size >= 0) pkg.size = size;
    pkg.maintainer = s.maintainer;
    pkg.license = s.license;
    out.push_back(std::move(pkg));
  });
  return out;
}

}  // namespace rampart::agent
