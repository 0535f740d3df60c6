#include "agent/collectors/web_config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "agent/collectors/web_config_internal.h"
#include "common/strings.h"

namespace rampart::agent {
namespace web_detail {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string Dirname(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Absolute(std::string_view p, const std::string& base) {
  if (p.empty()) return "";
  std::string joined = p.front() == '/' ? std::string(p) : base + "/" + std::string(p);
  std::vector<std::string_view> parts;
  for (std::string_view part : Split(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  if (out.empty()) out = "/";
  // Keep a trailing slash that was written (Alias /icons/ "/usr/share/icons/" stays a directory).
  return out;
}

void AddUnique(std::vector<std::string>* v, std::string s) {
  if (s.empty()) return;
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

std::string Where(const WebConfig& cfg, std::size_t file, int line) {
  const std::string& name = file < cfg.files.size() ? cfg.files[file] : std::string("?");
  return line > 0 ? name + ":" + std::to_string(line) : name;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace web_detail

using namespace web_detail;  // the shared parser pieces

namespace {

// ---------------------------------------------------------------------------------------------
// nginx

class NginxLexer {
 public:
  enum class Kind { kWord, kSemicolon, kOpen, kClose, kEnd, kError };
  struct Token {
    Kind kind = Kind::kEnd;
    std::string text;
    int line = 0;
  };

  explicit NginxLexer(std::string_view s) : s_(s) {}

  Token Next() {
    SkipSpaceAndComments();
    Token t;
    t.line = line_;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    if (c == ';' || c == '{' || c == '}') {
      ++pos_;
      t.kind = c == ';' ? Kind::kSemicolon : c == '{' ? Kind::kOpen : Kind::kClose;
      return t;
    }
    if (c == '"' || c == '\'') return Quoted(c);
    t.kind = Kind::kWord;
    while (pos_ < s_.size()) {
      const char d = s_[pos_];
      if (IsSpace(d) || d == ';' || d == '}') break;
      if (d == '{') {
        // "${var}" is a variable, not a block.
        if (!t.text.empty() && t.text.back() == '$') {
          const auto close = s_.find('}', pos_);
          if (close == std::string_view::npos) break;
          t.text.append(s_.substr(pos_, close + 1 - pos_));
          pos_ = close + 1;
          continue;
        }
        break;
      }
      if (d == '\\' && pos_ + 1 < s_.size()) {
        t.text.push_back(d);
        ++pos_;
        if (s_[pos_] == '\n') ++line_;
        t.text.push_back(s_[pos_]);
        ++pos_;
        continue;
      }
      t.text.push_back(d);
      ++pos_;
    }
    return t;
  }

 private:
  void SkipSpaceAndComments() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (IsSpace(c)) {
        ++pos_;
      } else if (c == '#') {
        const auto nl = s_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? s_.size() : nl;
      } else {
        return;
      }
    }
  }

  Token Quoted(char quote) {
    Token t;
    t.line = line_;
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\n') ++line_;
      if (c == '\\' && pos_ + 1 < s_.size()) {
        const char e = s_[pos_ + 1];
        if (e == '"' || e == '\'' || e == '\\') {
          t.text.push_back(e);
        } else if (e == 't') {
          t.text.push_back('\t');
        } else if (e == 'n') {
          t.text.push_back('\n');
        } else if (e == 'r') {
          t.text.push_back('\r');
        } else {
          t.text.push_back('\\');
          t.text.push_back(e);
        }
        if (e == '\n') ++line_;
        pos_ += 2;
        continue;
      }
      if (c == quote) {
        ++pos_;
        t.kind = Kind::kWord;
        return t;
      }
      t.text.push_back(c);
      ++pos_;
    }
    t.kind = Kind::kError;
    t.text = "unterminated quoted string";
    return t;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// Parses directives into `out` until the end of the file or, when expect_close, the "}" closing the
// current block. Includes are expanded in place.
void ParseNginxBlock(ParseState* st, NginxLexer* lex, std::size_t file, int include_depth,
                     int nesting, bool expect_close, std::vector<Directive>* out);

void ParseNginxText(ParseState* st, std::string_view text, std::size_t file, int include_depth,
                    std::vector<Directive>* out) {
  NginxLexer lex(text);
  ParseNginxBlock(st, &lex, file, include_depth, 0, false, out);
}

void ParseNginxBlock(ParseState* st, NginxLexer* lex, std::size_t file, int include_depth,
                     int nesting, bool expect_close, std::vector<Directive>* out) {
  WebConfig& cfg = *st->cfg;
  using Kind = NginxLexer::Kind;
  for (;;) {
    NginxLexer::Token t = lex->Next();
    switch (t.kind) {
      case Kind::kEnd:
        if (expect_close) {
          cfg.errors.push_back(Where(cfg, file, t.line) +
                               ": unexpected end of file, expecting \"}\"");
        }
        return;
      case Kind::kError:
        cfg.errors.push_back(Where(cfg, file, t.line) + ": " + t.text);
        return;
      case Kind::kClose:
        if (expect_close) return;
        cfg.errors.push_back(Where(cfg, file, t.line) + ": unexpected \"}\"");
        continue;
      case Kind::kSemicolon:
        cfg.errors.push_back(Where(cfg, file, t.line) + ": unexpected \";\"");
        continue;
      case Kind::kOpen:
        cfg.errors.push_back(Where(cfg, file, t.line) + ": unexpected \"{\"");
        // Skip the anonymous block so its contents are not taken as this level's.
        {
          std::vector<Directive> ignored;
          if (nesting + 1 >= kMaxNesting) return;
          ParseNginxBlock(st, lex, file, include_depth, nesting + 1, true, &ignored);
        }
        continue;
      case Kind::kWord:
        break;
    }
    Directive d;
    d.name = std::move(t.text);
    d.file = file;
    d.line = t.line;
    bool done = false;
    while (!done) {
      NginxLexer::Token a = lex->Next();
      switch (a.kind) {
        case Kind::kWord:
          if (d.args.size() < kMaxArgs) d.args.push_back(std::move(a.text));
          break;
        case Kind::kSemicolon:
          done = true;
          break;
        case Kind::kOpen:
          d.is_block = true;
          if (nesting + 1 >= kMaxNesting) {
            cfg.errors.push_back(Where(cfg, file, a.line) + ": blocks nested too deeply");
            return;
          }
          ParseNginxBlock(st, lex, file, include_depth, nesting + 1, true, &d.block);
          done = true;
          break;
        case Kind::kClose:
        case Kind::kEnd:
          cfg.errors.push_back(Where(cfg, file, d.line) + ": directive \"" + d.name +
                               "\" is not terminated by \";\"");
          out->push_back(std::move(d));
          if (a.kind == Kind::kClose && expect_close) return;
          if (a.kind == Kind::kEnd) {
            if (expect_close) {
              cfg.errors.push_back(Where(cfg, file, a.line) +
                                   ": unexpected end of file, expecting \"}\"");
            }
            return;
          }
          done = true;
          continue;
        case Kind::kError:
          cfg.errors.push_back(Where(cfg, file, a.line) + ": " + a.text);
          return;
      }
    }
    if (d.name.empty()) continue;
    if (d.name == "include" && !d.is_block) {
      if (d.args.size() != 1) {
        cfg.errors.push_back(Where(cfg, file, d.line) +
                             ": invalid number of arguments in \"include\"");
        continue;
      }
      const std::string pattern = Absolute(d.args[0], st->include_base);
      const bool glob = pattern.find_first_of("*?[") != std::string::npos;
      ExpandInclude(
          st, pattern, glob, file, d.line, include_depth, out,
          [st](std::string_view text, std::size_t f, int depth, std::vector<Directive>* into) {
            ParseNginxText(st, text, f, depth, into);
          });
      continue;
    }
    out->push_back(std::move(d));
  }
}

// nginx `listen` address -> "addr:port" ("80" -> "*:80", "[::]:443", "127.0.0.1" ->
// "127.0.0.1:80").
std::string NginxListen(std::string_view a) {
  if (a.starts_with("unix:")) return std::string(a);
  if (AllDigits(a)) return "*:" + std::string(a);
  if (a.starts_with('[')) {
    const auto close = a.find(']');
    if (close != std::string_view::npos && close + 1 < a.size() && a[close + 1] == ':') {
      return std::string(a);
    }
    return std::string(a) + ":80";
  }
  if (a.find(':') != std::string_view::npos) return std::string(a);
  return std::string(a) + ":80";
}

// Passing the request on (no file served from the root by this location).
bool IsNginxPass(std::string_view name) {
  return name == "proxy_pass" || name == "fastcgi_pass" || name == "uwsgi_pass" ||
         name == "scgi_pass" || name == "grpc_pass" || name == "memcached_pass";
}

struct NginxLocationScan {
  bool serves_files_without_root = false;
};

void ScanNginxLocations(const std::vector<Directive>& block, const std::string& inherited_root,
                        const std::string& prefix, WebSite* site, NginxLocationScan* scan,
                        int nesting) {
  if (nesting > kMaxNesting) return;
  for (const Directive& loc : block) {
    if (loc.name != "location" || !loc.is_block) continue;
    std::string root = inherited_root;
    bool own_root = false;
    bool passes = false;
    for (const Directive& d : loc.block) {
      if (d.is_block) continue;
      if ((d.name == "root" || d.name == "alias") && d.args.size() == 1) {
        const std::string r = Absolute(d.args[0], prefix);
        if (r != site->root) AddUnique(&site->other_roots, r);
        own_root = true;
        if (d.name == "root") root = r;
      } else if (IsNginxPass(d.name) && !d.args.empty()) {
        passes = passes || d.name != "fastcgi_pass";
        AddUnique(&site->upstreams, d.args[0]);
      } else if (d.name == "return") {
        passes = true;
      }
    }
    if (!own_root && !passes && root.empty()) scan->serves_files_without_root = true;
    ScanNginxLocations(loc.block, own_root ? root : inherited_root, prefix, site, scan,
                       nesting + 1);
  }
}

WebSite NginxSite(const WebConfig& cfg, const Directive& server, const std::string& http_root,
                  const std::string& prefix) {
  WebSite site;
  site.server = "nginx";
  site.config = cfg.files[server.file];
  site.line = server.line;
  std::string root = http_root;
  bool has_locations = false;
  bool server_passes = false;
  for (const Directive& d : server.block) {
    if (d.name == "listen" && !d.args.empty()) {
      AddUnique(&site.listen, NginxListen(d.args[0]));
      for (std::size_t i = 1; i < d.args.size(); ++i) {
        if (d.args[i] == "ssl" || d.args[i] == "quic") site.tls = true;
        if (d.args[i] == "default_server" || d.args[i] == "default") site.default_server = true;
      }
    } else if (d.name == "server_name") {
      for (const std::string& n : d.args) AddUnique(&site.names, n);
    } else if (d.name == "root" && d.args.size() == 1) {
      root = Absolute(d.args[0], prefix);
    } else if (d.name == "ssl" && d.args.size() == 1 && d.args[0] == "on") {
      site.tls = true;
    } else if (d.name == "location" && d.is_block) {
      has_locations = true;
    } else if (d.name == "return" || (IsNginxPass(d.name) && !d.args.empty())) {
      server_passes = true;
      if (d.name != "return") AddUnique(&site.upstreams, d.args[0]);
    }
  }
  if (site.listen.empty()) site.listen.push_back("*:80");
  site.root = root;
  NginxLocationScan scan;
  ScanNginxLocations(server.block, root, prefix, &site, &scan, 0);
  if (site.root.empty() && (scan.serves_files_without_root || (!has_locations && !server_passes))) {
    site.root = Absolute("html", prefix);  // nginx's compiled-in default root
  }
  std::erase(site.other_roots, site.root);
  return site;
}

void CollectNginxSites(WebConfig* cfg, const std::vector<Directive>& top, const std::string& prefix,
                       const WebConfigLimits& limits) {
  for (const Directive& http : top) {
    if (http.name != "http" || !http.is_block) continue;
    std::string http_root;
    for (const Directive& d : http.block) {
      if (d.name == "root" && d.args.size() == 1 && !d.is_block) {
        http_root = Absolute(d.args[0], prefix);
      }
    }
    for (const Directive& d : http.block) {
      if (d.name != "server" || !d.is_block) continue;
      if (cfg->sites.size() >= limits.max_sites) {
        cfg->errors.push_back(Where(*cfg, d.file, d.line) + ": site limit (" +
                              std::to_string(limits.max_sites) + ") reached");
        return;
      }
      cfg->sites.push_back(NginxSite(*cfg, d, http_root, prefix));
    }
  }
}

}  // namespace

WebConfig ParseNginxConfig(std::string_view text, const std::string& path,
                           const std::string& prefix, const WebFileReader& read,
                           const WebConfigLimits& limits) {
  WebConfig cfg;
  cfg.files.push_back(path);
  ParseState st{&cfg, &read, &limits, Dirname(path), {}, false};
  std::vector<Directive> top;
  ParseNginxText(&st, text, 0, 0, &top);
  CollectNginxSites(&cfg, top, prefix, limits);
  return cfg;
}

}  // namespace rampart::agent
