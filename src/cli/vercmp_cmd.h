#pragma once
// `rampart vercmp ECOSYSTEM A B` and `rampart vercmp ECOSYSTEM --stdin`.

#include <cstdio>
#include <string>

namespace rampart::cli {

struct VercmpArgs {
  std::string ecosystem;
  std::string a;
  std::string b;
  bool from_stdin = false;
};

// Prints "<", "=" or ">" (one per input line with --stdin, where a blank line answers with a blank
// line and an invalid line with "error", its reason going to stderr with the line number). Returns
// 0, or 2 for bad arguments or any invalid version.
int RunVercmp(const VercmpArgs& args, std::FILE* in, std::FILE* out, std::FILE* err);

}  // namespace rampart::cli
