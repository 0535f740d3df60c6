#include "agent/baseline/weak_password.h"

#include <crypt.h>
#include <time.h>

#include <cstring>
#include <memory>

#include "agent/collectors/shadow.h"
#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

std::chrono::nanoseconds ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Constant-time comparison of the computed and the stored hash.
bool SameHash(const char* computed, const std::string& stored) {
  const std::size_t n = std::strlen(computed);
  if (n != stored.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(computed[i] ^ stored[i]);
  }
  return diff == 0;
}

}  // namespace

PasswordList ParsePasswordList(std::string_view text, std::string name, std::size_t max_words) {
  PasswordList list;
  list.name = std::move(name);
  ForEachLineOf(text, [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.size() > 256 || list.words.size() >= max_words) return;
    list.words.emplace_back(line);
  });
  return list;
}

WeakPasswordReport FindWeakPasswords(const std::vector<ShadowHash>& accounts,
                                     const std::vector<PasswordList>& lists,
                                     std::chrono::milliseconds budget) {
  WeakPasswordReport report;
  auto data = std::make_unique<crypt_data>();
  const auto start = ThreadCpu();
  auto over_budget = [&] { return ThreadCpu() - start > budget; };
  for (const auto& account : accounts) {
    if (ClassifyPassword(account.hash) != PasswordStatus::kSet) continue;
    ++report.accounts_checked;
    if (report.budget_exhausted) continue;
    const std::string type = HashType(account.hash);
    // try returns: 1 matched, 0 no match, -1 unsupported scheme
    auto attempt = [&](const std::string& candidate) -> int {
      std::memset(data.get(), 0, sizeof(crypt_data));
      const char* out = crypt_r(candidate.c_str(), account.hash.c_str(), data.get());
      ++report.hashes_computed;
      if (out == nullptr || out[0] == '*') return -1;
      return SameHash(out, account.hash) ? 1 : 0;
    };
    bool done = false;
    bool matched = false;
    auto run = [&](const std::string& candidate, const std::string& list_name) {
      if (done) return;
      if (over_budget()) {
        report.budget_exhausted = true;
        done = true;
        return;
      }
      const int r = attempt(candidate);
      if (r < 0) {
        report.unsupported.push_back(account.user);
        done = true;
      } else if (r > 0) {
        report.weak.push_back({account.user, list_name, type});
        matched = true;
        done = true;
      }
    };
    run(account.user, "username");
    for (const auto& list : lists) {
      for (const auto& word : list.words) {
        if (done) break;
        run(word, list.name);
      }
    }
    if (matched || !report.budget_exhausted) {
      if (report.unsupported.empty() || report.unsupported.back() != account.user) {
        ++report.accounts_finished;
      }
    }
  }
  std::memset(data.get(), 0, sizeof(crypt_data));  // the last candidate and hash
  return report;
}

}  // namespace rampart::agent::baseline
