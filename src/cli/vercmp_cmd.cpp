#include "cli/vercmp_cmd.h"

#include <string_view>

#include "agent/vuln/version.h"
#include "common/strings.h"

namespace rampart::cli {
namespace {

const char* Symbol(int c) { return c < 0 ? "<" : (c > 0 ? ">" : "="); }

}  // namespace

int RunVercmp(const VercmpArgs& args, std::FILE* in, std::FILE* out, std::FILE* err) {
  auto eco = agent::vuln::ParseEcosystem(args.ecosystem);
  if (!eco) {
    std::fprintf(err, "rampart vercmp: %s\n", eco.error().message().c_str());
    return 2;
  }
  if (!args.from_stdin) {
    if (args.a.empty() || args.b.empty()) {
      std::fprintf(err, "rampart vercmp: expected two versions A B, or --stdin\n");
      return 2;
    }
    auto c = agent::vuln::CompareVersions(*eco, args.a, args.b);
    if (!c) {
      std::fprintf(err, "rampart vercmp: %s\n", c.error().message().c_str());
      return 2;
    }
    std::fprintf(out, "%s\n", Symbol(*c));
    return 0;
  }
  if (!args.a.empty() || !args.b.empty()) {
    std::fprintf(err, "rampart vercmp: --stdin takes no versions on the command line\n");
    return 2;
  }
  int rc = 0;
  std::size_t line_no = 0;
  std::string line;
  char buf[8192];
  std::string pending;
  auto handle = [&](std::string_view raw) {
    ++line_no;
    const auto fields = SplitWhitespace(raw);
    if (fields.empty()) {
      std::fputc('\n', out);
      return;
    }
    if (fields.size() != 2) {
      std::fprintf(err,
                   "rampart vercmp: stdin line %zu: expected two versions 'A B', got %zu fields\n",
                   line_no, fields.size());
      std::fputs("error\n", out);
      rc = 2;
      return;
    }
    auto c = agent::vuln::CompareVersions(*eco, fields[0], fields[1]);
    if (!c) {
      std::fprintf(err, "rampart vercmp: stdin line %zu: %s\n", line_no,
                   c.error().message().c_str());
      std::fputs("error\n", out);
      rc = 2;
      return;
    }
    std::fprintf(out, "%s\n", Symbol(*c));
  };
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) {
    pending.append(buf, n);
    std::size_t start = 0;
    std::size_t nl = 0;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      handle(std::string_view(pending).substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) handle(pending);
  return rc;
}

}  // namespace rampart::cli
