#include "agent/baseline/sshd_effective.h"

#include <fnmatch.h>

#include <set>
#include <vector>

#include "agent/baseline/sshd_config.h"
#include "agent/collectors/systemctl_query.h"
#include "common/strings.h"

namespace rampart::agent::baseline {

std::map<std::string, std::string> ParseSshdTestOutput(std::string_view text) {
  std::map<std::string, std::string> out;
  ForEachLineOf(text, [&](std::string_view raw) {
    std::string_view line = TrimView(raw);
    const auto sp = line.find_first_of(" \t");
    if (line.empty() || sp == std::string_view::npos) return;
    std::string key = ToLower(line.substr(0, sp));
    std::string value(TrimView(line.substr(sp + 1)));
    if (value.empty()) return;
    if (key == "permitrootlogin" && ToLower(value) == "without-password") {
      value = "prohibit-password";
    }
    auto it = out.find(key);
    if (it != out.end()) {
      it->second += " " + value;
    } else if (out.size() < 4096) {
      out.emplace(std::move(key), std::move(value));
    }
  });
  return out;
}

Result<std::map<std::string, std::string>> RunSshdTest(const std::string& sshd,
                                                       const std::string& config_file,
                                                       const std::string& connection_spec,
                                                       std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{sshd, "-T"};
  if (!config_file.empty()) {
    argv.push_back("-f");
    argv.push_back(config_file);
  }
  if (!connection_spec.empty()) {
    argv.push_back("-C");
    argv.push_back(connection_spec);
  }
  auto out = RunCommandCapture(argv, timeout, std::size_t{1} << 20);
  if (!out.ok()) return out.status();
  auto values = ParseSshdTestOutput(*out);
  // Every sshd prints these; without them the output is not an effective configuration.
  if (values.count("permitrootlogin") == 0 || values.count("port") == 0) {
    return InvalidArgument(sshd + " -T printed no configuration");
  }
  return values;
}

std::optional<long long> ParseSshdTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    long long n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 100000000000LL) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    long long unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's':
        case 'S':
          unit = 1;
          break;
        case 'm':
        case 'M':
          unit = 60;
          break;
        case 'h':
        case 'H':
          unit = 3600;
          break;
        case 'd':
        case 'D':
          unit = 86400;
          break;
        case 'w':
        case 'W':
          unit = 604800;
          break;
        default:
          return std::nullopt;
      }
      ++i;
    }
    total += n * unit;
    if (total > 100000000000LL) return std::nullopt;
  }
  return total;
}

std::string SshdExpandAlgorithms(std::string_view key, const std::string& value) {
  if (value.empty() || (value[0] != '+' && value[0] != '-' && value[0] != '^')) return value;
  static const std::set<std::string, std::less<>> kLists = {"ciphers",
                                                            "macs",
                                                            "kexalgorithms",
                                                            "hostkeyalgorithms",
                                                            "pubkeyacceptedalgorithms",
                                                            "hostbasedacceptedalgorithms",
                                                            "casignaturealgorithms"};
  if (kLists.count(key) == 0) return value;
  const std::string def = SshdDefault(key).value_or("");
  if (def.empty()) return value;
  const std::string list = value.substr(1);
  if (value[0] == '+') return def + "," + list;
  if (value[0] == '^') return list + "," + def;
  // '-': remove every default algorithm matching one of the patterns (wildcards as sshd's
  // match_filter_denylist).
  std::vector<std::string> keep;
  for (auto a : Split(def, ',')) {
    const std::string algo(a);
    bool removed = false;
    for (auto pat : Split(list, ',')) {
      if (fnmatch(std::string(pat).c_str(), algo.c_str(), 0) == 0) removed = true;
    }
    if (!removed) keep.push_back(algo);
  }
  return Join(keep, ",");
}

}  // namespace rampart::agent::baseline
