// Fuzzes the matcher with hostile feed content: arbitrary event versions, orders and kinds,
// `versions` lists and installed versions, in every comparator. Never crashes, and every finding it
// reports has a fixed version above the installed one (or none). Input: line 1 picks the ecosystem
// by its first byte (d deb, a apk, r rpm, p pypi, n npm, m maven) and the range type by its second
// (s SEMVER, g GIT, else ECOSYSTEM); then lines "i:V" introduced, "f:V" fixed, "l:V" last_affected,
// "m:V" limit, "v:V" a `versions` entry, "r:" a new range, "x:V" an installed version (several
// allowed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vuln/matcher.h"

namespace {

using namespace rampart::agent;
using namespace rampart::agent::vuln;

struct FuzzShape {
  const char* ecosystem;
  const char* os_id;
  const char* os_version;
  const char* type;
};

FuzzShape ShapeFor(char c) {
  switch (c) {
    case 'a':
      return {"Alpine:v3.19", "alpine", "3.19.1", "apk"};
    case 'r':
      return {"Rocky Linux:9", "rocky", "9.3", "rpm"};
    case 'p':
      return {"PyPI", "debian", "12", "pypi"};
    case 'n':
      return {"npm", "debian", "12", "npm"};
    case 'm':
      return {"Maven", "debian", "12", "maven"};
    default:
      return {"Debian:12", "debian", "12", "deb"};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  const std::string_view head = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  const FuzzShape shape = ShapeFor(head.empty() ? 'd' : head[0]);
  const Range::Type type = head.size() < 2  ? Range::Type::kEcosystem
                           : head[1] == 's' ? Range::Type::kSemver
                           : head[1] == 'g' ? Range::Type::kGit
                                            : Range::Type::kEcosystem;

  Advisory adv;
  adv.id = "FUZZ-1";
  Affected aff;
  aff.ecosystem = shape.ecosystem;
  aff.name = "pkg";
  aff.ranges.push_back({type, {}});
  std::vector<SoftwarePackage> pkgs;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.size() < 2 || line[1] != ':') continue;
    const std::string v(line.substr(2));
    auto& events = aff.ranges.back().events;
    switch (line[0]) {
      case 'i':
        events.push_back({RangeEvent::Kind::kIntroduced, v});
        break;
      case 'f':
        events.push_back({RangeEvent::Kind::kFixed, v});
        break;
      case 'l':
        events.push_back({RangeEvent::Kind::kLastAffected, v});
        break;
      case 'm':
        events.push_back({RangeEvent::Kind::kLimit, v});
        break;
      case 'v':
        aff.versions.push_back(v);
        break;
      case 'r':
        aff.ranges.push_back({type, {}});
        break;
      case 'x': {
        SoftwarePackage p;
        p.type = shape.type;
        p.name = "pkg";
        p.version = v;
        p.source_name = "pkg";
        p.source_version = v;
        pkgs.push_back(std::move(p));
        break;
      }
      default:
        break;
    }
  }
  adv.affected.push_back(std::move(aff));
  const std::vector<const Advisory*> list = {&adv};
  const AdvisoryIndex index = AdvisoryIndex::Build(list);
  MatchTarget target{OsTargetFor(OsInfo{shape.os_id, "", shape.os_version, ""}), "",
                     std::move(pkgs)};
  for (const Finding& f : MatchHost(index, target)) {
    if (f.fixed_version.empty()) continue;
    const auto eco = ComparatorFor(f.ecosystem);
    const Ecosystem cmp = type == Range::Type::kSemver ? Ecosystem::kSemver : *eco;
    const auto c = CompareVersions(cmp, f.installed_version, f.fixed_version);
    if (c.ok() && *c >= 0) __builtin_trap();  // a "fix" that is not an upgrade
  }
  return 0;
}
