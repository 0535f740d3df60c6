#include "agent/vuln/cvss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/strings.h"

namespace rampart::agent::vuln {
namespace {

// One metric of a vector: its key, the values it may take, and (for base metrics) their weights.
struct MetricSpec {
  std::string_view key;
  std::string_view values;  // '|'-separated allowed values
  bool base;
};

bool ValueAllowed(std::string_view allowed, std::string_view value) {
  for (std::string_view v : Split(allowed, '|')) {
    if (v == value) return true;
  }
  return false;
}

// v3.x metrics in the order of the specification; base ones first.
constexpr std::array<MetricSpec, 22> kV3Metrics = {{
    {"AV", "N|A|L|P", true},    {"AC", "L|H", true},       {"PR", "N|L|H", true},
    {"UI", "N|R", true},        {"S", "U|C", true},        {"C", "H|L|N", true},
    {"I", "H|L|N", true},       {"A", "H|L|N", true},      {"E", "X|U|P|F|H", false},
    {"RL", "X|O|T|W|U", false}, {"RC", "X|U|R|C", false},  {"CR", "X|L|M|H", false},
    {"IR", "X|L|M|H", false},   {"AR", "X|L|M|H", false},  {"MAV", "X|N|A|L|P", false},
    {"MAC", "X|L|H", false},    {"MPR", "X|N|L|H", false}, {"MUI", "X|N|R", false},
    {"MS", "X|U|C", false},     {"MC", "X|N|L|H", false},  {"MI", "X|N|L|H", false},
    {"MA", "X|N|L|H", false},
}};

constexpr std::array<MetricSpec, 14> kV2Metrics = {{
    {"AV", "L|A|N", true},
    {"AC", "H|M|L", true},
    {"Au", "M|S|N", true},
    {"C", "N|P|C", true},
    {"I", "N|P|C", true},
    {"A", "N|P|C", true},
    {"E", "U|POC|F|H|ND", false},
    {"RL", "OF|TF|W|U|ND", false},
    {"RC", "UC|UR|C|ND", false},
    {"CDP", "N|L|LM|MH|H|ND", false},
    {"TD", "N|L|M|H|ND", false},
    {"CR", "L|M|H|ND", false},
    {"IR", "L|M|H|ND", false},
    {"AR", "L|M|H|ND", false},
}};

// Parses "K:V/K:V/..." against `specs`; fills `base_values` (indexed like the base specs). Every
// base metric must be present exactly once; no metric may repeat.
template <std::size_t N>
Status ParseMetrics(std::string_view body, const std::array<MetricSpec, N>& specs,
                    std::array<std::string_view, N>& values) {
  if (body.empty()) return InvalidArgument("empty vector");
  for (std::string_view part : Split(body, '/')) {
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument("metric '" + std::string(part) + "' is not KEY:VALUE");
    }
    const std::string_view key = part.substr(0, colon);
    const std::string_view value = part.substr(colon + 1);
    std::size_t i = 0;
    while (i < N && specs[i].key != key) ++i;
    if (i == N) return InvalidArgument("unknown metric '" + std::string(key) + "'");
    if (!values[i].empty()) return InvalidArgument("metric '" + std::string(key) + "' repeated");
    if (!ValueAllowed(specs[i].values, value)) {
      return InvalidArgument("metric " + std::string(key) + " has invalid value '" +
                             std::string(value) + "'");
    }
    values[i] = value;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (specs[i].base && values[i].empty()) {
      return InvalidArgument("missing base metric " + std::string(specs[i].key));
    }
  }
  return Status::Ok();
}

// CVSS 3.1 Appendix A: the smallest one-decimal number >= x, computed on integers so that
// floating-point noise (e.g. 4.000000000000001) does not round up.
double Roundup(double x) {
  const auto int_input = static_cast<std::int64_t>(std::llround(x * 100000.0));
  if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
  return static_cast<double>(int_input / 10000 + 1) / 10.0;
}

double CiaWeightV3(std::string_view v) {
  if (v == "H") return 0.56;
  if (v == "L") return 0.22;
  return 0.0;
}

double CiaWeightV2(std::string_view v) {
  if (v == "C") return 0.660;
  if (v == "P") return 0.275;
  return 0.0;
}

}  // namespace

Result<double> CvssV3BaseScore(std::string_view vector) {
  std::string_view body = vector;
  if (body.starts_with("CVSS:3.1/") || body.starts_with("CVSS:3.0/")) {
    body.remove_prefix(9);
  } else {
    return InvalidArgument("CVSS v3 vector '" + std::string(vector) +
                           "' does not start with CVSS:3.0/ or CVSS:3.1/");
  }
  std::array<std::string_view, kV3Metrics.size()> m{};
  if (Status s = ParseMetrics(body, kV3Metrics, m); !s.ok()) {
    return s.WithContext("CVSS v3 vector '" + std::string(vector) + "'");
  }
  const bool changed = m[4] == "C";
  const double av = m[0] == "N" ? 0.85 : m[0] == "A" ? 0.62 : m[0] == "L" ? 0.55 : 0.2;
  const double ac = m[1] == "L" ? 0.77 : 0.44;
  const double pr = m[2] == "N"   ? 0.85
                    : m[2] == "L" ? (changed ? 0.68 : 0.62)
                                  : (changed ? 0.5 : 0.27);
  const double ui = m[3] == "N" ? 0.85 : 0.62;
  const double iss =
      1.0 - (1.0 - CiaWeightV3(m[5])) * (1.0 - CiaWeightV3(m[6])) * (1.0 - CiaWeightV3(m[7]));
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15.0) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0.0;
  const double raw = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
  return Roundup(std::min(raw, 10.0));
}

Result<double> CvssV2BaseScore(std::string_view vector) {
  std::string_view body = vector;
  if (body.starts_with("(") && body.ends_with(")")) body = body.substr(1, body.size() - 2);
  if (body.starts_with("CVSS:2.0/")) body.remove_prefix(9);
  std::array<std::string_view, kV2Metrics.size()> m{};
  if (Status s = ParseMetrics(body, kV2Metrics, m); !s.ok()) {
    return s.WithContext("CVSS v2 vector '" + std::string(vector) + "'");
  }
  const double av = m[0] == "L" ? 0.395 : m[0] == "A" ? 0.646 : 1.0;
  const double ac = m[1] == "H" ? 0.35 : m[1] == "M" ? 0.61 : 0.71;
  const double au = m[2] == "M" ? 0.45 : m[2] == "S" ? 0.56 : 0.704;
  const double impact = 10.41 * (1.0 - (1.0 - CiaWeightV2(m[3])) * (1.0 - CiaWeightV2(m[4])) *
                                           (1.0 - CiaWeightV2(m[5])));
  const double exploitability = 20.0 * av * ac * au;
  const double f_impact = impact == 0.0 ? 0.0 : 1.176;
  const double raw = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
  // The guide rounds to one decimal; the small epsilon keeps x.x5 values that land a hair below the
  // boundary in binary floating point on the side the guide's decimal arithmetic gives.
  return std::round(raw * 10.0 + 1e-9) / 10.0;
}

Severity SeverityFromV3Score(double score) {
  if (score >= 9.0) return Severity::kCritical;
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  if (score > 0.0) return Severity::kLow;
  return Severity::kUnknown;
}

Severity SeverityFromV2Score(double score) {
  if (score >= 7.0) return Severity::kHigh;
  if (score >= 4.0) return Severity::kMedium;
  if (score > 0.0) return Severity::kLow;
  return Severity::kUnknown;
}

std::optional<Severity> ParseSeverityWord(std::string_view word) {
  const std::string w = ToLower(TrimView(word));
  if (w == "low" || w == "negligible" || w == "unimportant") return Severity::kLow;
  if (w == "moderate" || w == "medium") return Severity::kMedium;
  if (w == "high" || w == "important") return Severity::kHigh;
  if (w == "critical") return Severity::kCritical;
  return std::nullopt;
}

}  // namespace rampart::agent::vuln
