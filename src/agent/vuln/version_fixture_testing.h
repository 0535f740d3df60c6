#pragma once
// Test helper for the golden version fixtures (shared/data/version-fixtures/*.txt, from
// osv-scalibr): one "A < B", "A = B" or "A > B" per line, '#' comments and blank lines skipped.
// Header-only; used by the comparator tests.

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strings.h"

namespace rampart::agent::vuln::testing {

struct FixtureLine {
  std::size_t line = 0;  // 1-based
  std::string a;
  std::string b;
  int expected = 0;  // -1, 0, 1
};

inline std::string FixturePath(std::string_view file) {
  return std::string(RAMPART_SOURCE_DIR) + "/../shared/data/version-fixtures/" + std::string(file);
}

// Reads every comparison of a fixture file; a malformed line fails the calling test.
inline std::vector<FixtureLine> ReadFixture(std::string_view file) {
  std::vector<FixtureLine> out;
  std::ifstream in(FixturePath(file), std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << FixturePath(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::size_t number = 0;
  ForEachLineOf(text, [&](std::string_view line) {
    ++number;
    const std::string_view trimmed = TrimView(line);
    if (trimmed.empty() || trimmed.front() == '#' || trimmed.starts_with("//")) return;
    const std::vector<std::string_view> fields = SplitWhitespace(trimmed);
    if (fields.size() != 3 || fields[1].size() != 1 ||
        std::string_view("<=>").find(fields[1][0]) == std::string_view::npos) {
      ADD_FAILURE() << file << ":" << number << ": malformed fixture line '" << line << "'";
      return;
    }
    const int expected = fields[1][0] == '<' ? -1 : (fields[1][0] == '=' ? 0 : 1);
    out.push_back({number, std::string(fields[0]), std::string(fields[2]), expected});
  });
  return out;
}

inline const char* OpName(int sign) { return sign < 0 ? "<" : (sign == 0 ? "=" : ">"); }
inline int Sign(int v) { return (v > 0) - (v < 0); }

// Checks every line of `file` with `compare` in both directions, that every version is accepted and
// that each compares equal to itself.
// Returns the number of lines checked. Each failure names file:line, A, B, expected and got.
template <typename Compare>
std::size_t ExpectFixturePasses(std::string_view file, Compare compare) {
  const std::vector<FixtureLine> lines = ReadFixture(file);
  std::size_t failures = 0;
  for (const FixtureLine& l : lines) {
    const Result<int> ab = compare(l.a, l.b);
    const Result<int> ba = compare(l.b, l.a);
    if (!ab.ok() || !ba.ok()) {
      ADD_FAILURE() << file << ":" << l.line << ": " << l.a << " " << OpName(l.expected) << " "
                    << l.b << ": rejected: " << (ab.ok() ? ba.error() : ab.error()).ToString();
      ++failures;
    } else if (Sign(*ab) != l.expected || Sign(*ba) != -l.expected ||
               compare(l.a, l.a).value_or(1) != 0 || compare(l.b, l.b).value_or(1) != 0) {
      ADD_FAILURE() << file << ":" << l.line << ": A=" << l.a << " B=" << l.b << " expected "
                    << OpName(l.expected) << " got cmp(A,B) " << OpName(*ab) << ", cmp(B,A) "
                    << OpName(*ba);
      ++failures;
    }
    if (failures > 50) {
      ADD_FAILURE() << file << ": stopping after 50 failures";
      break;
    }
  }
  return lines.size();
}

// Expects `compare` to reject `bad` on either side with kInvalidArgument and a message that names
// it
// ("invalid <ecosystem> version '<bad>'").
template <typename Compare>
void ExpectRejectedNamingInput(Compare compare, std::string_view ecosystem, const std::string& bad,
                               std::string_view good) {
  const Result<int> r = compare(bad, good);
  ASSERT_FALSE(r.ok()) << "'" << bad << "' was accepted";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  const std::string want = "invalid " + std::string(ecosystem) + " version '" + bad + "'";
  EXPECT_NE(r.error().message().find(want), std::string::npos) << r.error().message();
  EXPECT_FALSE(compare(good, bad).ok()) << bad;
}

}  // namespace rampart::agent::vuln::testing
