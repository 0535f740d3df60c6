#include "agent/baseline/weak_password.h"

#include <crypt.h>
#include <time.h>

#include <algorithm>
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
  // Candidate k of an account: 0 is its own name, then the lists in order.
  std::size_t total = 1;
  for (const auto& l : lists) total += l.words.size();
  auto candidate = [&](const ShadowHash& a, std::size_t k,
                       std::string* list) -> const std::string& {
    if (k == 0) {
      *list = "username";
      return a.user;
    }
    --k;
    for (const auto& l : lists) {
      if (k < l.words.size()) {
        *list = l.name;
        return l.words[k];
      }
      k -= l.words.size();
    }
    return a.user;  // unreachable: k < total
  };
  struct Pending {
    const ShadowHash* account;
    std::string type;
  };
  std::vector<Pending> pending;
  for (const auto& a : accounts) {
    if (ClassifyPassword(a.hash) != PasswordStatus::kSet) continue;
    ++report.accounts_checked;
    pending.push_back({&a, HashType(a.hash)});
  }
  // Round-robin by rank: every account gets the most common candidates before any account gets the
  // rarer ones, so a budget that runs out still covers all accounts equally.
  std::size_t rank = 0;
  for (; rank < total && !pending.empty(); ++rank) {
    for (std::size_t i = 0; i < pending.size();) {
      if (ThreadCpu() - start > budget) {
        report.budget_exhausted = true;
        report.candidates_tried = rank;
        std::memset(data.get(), 0, sizeof(crypt_data));
        return report;
      }
      std::string list;
      const std::string& word = candidate(*pending[i].account, rank, &list);
      std::memset(data.get(), 0, sizeof(crypt_data));
      const char* out = crypt_r(word.c_str(), pending[i].account->hash.c_str(), data.get());
      ++report.hashes_computed;
      bool done = false;
      if (out == nullptr || out[0] == '*') {
        report.unsupported.push_back(pending[i].account->user);
        done = true;
      } else if (SameHash(out, pending[i].account->hash)) {
        report.weak.push_back({pending[i].account->user, list, pending[i].type});
        ++report.accounts_finished;
        done = true;
      }
      if (done) {
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  report.accounts_finished += pending.size();  // every candidate tried
  report.candidates_tried = rank;
  std::memset(data.get(), 0, sizeof(crypt_data));  // the last candidate and hash
  std::sort(report.weak.begin(), report.weak.end(),
            [&](const WeakAccount& a, const WeakAccount& b) {
              auto pos = [&](const std::string& u) {
                for (std::size_t k = 0; k < accounts.size(); ++k) {
                  if (accounts[k].user == u) return k;
                }
                return accounts.size();
              };
              return pos(a.user) < pos(b.user);
            });
  return report;
}

}  // namespace rampart::agent::baseline
