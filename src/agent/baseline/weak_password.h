#pragma once
// Weak passwords in /etc/shadow: each usable hash (yescrypt, SHA-512, SHA-256, MD5, bcrypt, ...;
// whatever the host's libcrypt supports through crypt_r) is tried against the account's own name,
// the built-in list of common passwords and an optional custom dictionary, under a CPU-time
// budget. A password that matches is never kept, logged or printed: the result says only which list
// matched. Thread-compatible (no shared state).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent::baseline {

// The built-in list (a few hundred of the commonest passwords), one per line.
std::string_view BuiltinPasswordList();

struct PasswordList {
  std::string name;  // "builtin", "custom:/path/to/file"
  std::vector<std::string> words;
};

// Splits a word list (one password per line; '\r' stripped; empty lines and lines over 256 bytes
// skipped; at most max_words kept).
PasswordList ParsePasswordList(std::string_view text, std::string name,
                               std::size_t max_words = 1'000'000);

struct ShadowHash {
  std::string user;
  std::string hash;  // the crypt field as in /etc/shadow
};

struct WeakAccount {
  std::string user;
  std::string list;       // "username" (the password is the user name), or a list's name
  std::string hash_type;  // "yescrypt", "sha512", ...
};

struct WeakPasswordReport {
  std::vector<WeakAccount> weak;
  std::size_t accounts_checked = 0;   // accounts with a usable hash
  std::size_t accounts_finished = 0;  // accounts whose every candidate was tried (or matched)
  std::size_t hashes_computed = 0;
  // Candidates tried per unfinished account (its name, then the lists in order); on exhaustion,
  // every unfinished account was tried with at least this many of the most common candidates.
  std::size_t candidates_tried = 0;
  bool budget_exhausted = false;
  std::vector<std::string> unsupported;  // users whose hash scheme libcrypt rejected
};

// Tries every account's hash, round-robin by candidate rank (all accounts get the most common
// candidates first). Stops and sets budget_exhausted when the thread's CPU time spent here passes
// `budget`. Accounts without a usable hash (locked, "*", "!", empty) are not counted. `weak` is in
// the order of `accounts`.
WeakPasswordReport FindWeakPasswords(const std::vector<ShadowHash>& accounts,
                                     const std::vector<PasswordList>& lists,
                                     std::chrono::milliseconds budget);

}  // namespace rampart::agent::baseline
