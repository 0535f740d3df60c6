#pragma once
// Pieces shared by the web configuration parsers (web_config*.cpp): the directive tree, path
// helpers and the bounded include expansion. Internal to those files.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/web_config.h"

namespace rampart::agent::web_detail {

// Block nesting deeper than this is refused (recursion bound for hostile input).
inline constexpr int kMaxNesting = 64;
inline constexpr std::size_t kMaxArgs = 256;

// A directive of either syntax; `block` holds the children of `name { ... }` / <Name> ... </Name>.
struct Directive {
  std::string name;  // as written (nginx is case-sensitive); Apache compares with EqualsNoCase
  std::vector<std::string> args;
  std::size_t file = 0;  // index into WebConfig::files
  int line = 0;
  bool is_block = false;
  std::vector<Directive> block;
};

bool IsSpace(char c);
bool AllDigits(std::string_view s);
std::string Dirname(const std::string& path);
// `p` made absolute against `base`, with "." and ".." components and repeated slashes folded
// lexically (configuration paths name files in the host's namespace; symlinks are not resolved).
std::string Absolute(std::string_view p, const std::string& base);
// Appends `s` unless it is empty or already present.
void AddUnique(std::vector<std::string>* v, std::string s);
// "file:line" (or "file" when line is 0) for messages.
std::string Where(const WebConfig& cfg, std::size_t file, int line);

struct ParseState {
  WebConfig* cfg;
  const WebFileReader* read;
  const WebConfigLimits* limits;
  std::string include_base;  // nginx: the main file's directory; Apache: ServerRoot
  std::map<std::string, std::string> defines;  // Apache Define
  bool files_exhausted = false;
};

// Reads the files an include names; each is registered in cfg->files and handed to `parse`.
template <typename ParseFn>
void ExpandInclude(ParseState* st, const std::string& pattern, bool optional, std::size_t from_file,
                   int from_line, int depth, std::vector<Directive>* out, const ParseFn& parse) {
  WebConfig& cfg = *st->cfg;
  if (depth >= st->limits->max_include_depth) {
    cfg.errors.push_back(Where(cfg, from_file, from_line) + ": include depth limit (" +
                         std::to_string(st->limits->max_include_depth) + ") reached at " + pattern);
    return;
  }
  std::vector<std::string> read_errors;
  std::vector<WebConfigFile> files = (*st->read)(pattern, optional, &read_errors);
  for (const std::string& e : read_errors) {
    cfg.errors.push_back(Where(cfg, from_file, from_line) + ": include " + e);
  }
  for (WebConfigFile& f : files) {
    if (cfg.files.size() >= st->limits->max_files) {
      if (!st->files_exhausted) {
        cfg.errors.push_back(Where(cfg, from_file, from_line) + ": file limit (" +
                             std::to_string(st->limits->max_files) + ") reached; " + f.path +
                             " and later files not read");
      }
      st->files_exhausted = true;
      return;
    }
    cfg.files.push_back(f.path);
    parse(f.text, cfg.files.size() - 1, depth + 1, out);
  }
}

}  // namespace rampart::agent::web_detail
