#include "agent/collectors/web_config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "common/strings.h"

namespace rampart::agent {
namespace {

// Block nesting deeper than this is refused (recursion bound for hostile input).
constexpr int kMaxNesting = 64;
constexpr std::size_t kMaxArgs = 256;
constexpr std::size_t kMaxApacheLine = std::size_t{64} << 10;
// Bytes an Apache line's ${...} expansions may produce (a hostile Define chain stays cheap).
constexpr std::size_t kMaxExpansion = std::size_t{16} << 10;

// A directive of either syntax; `block` holds the children of `name { ... }` / <Name> ... </Name>.
struct Directive {
  std::string name;  // as written (nginx is case-sensitive); Apache compares with EqualsNoCase
  std::vector<std::string> args;
  std::size_t file = 0;  // index into WebConfig::files
  int line = 0;
  bool is_block = false;
  std::vector<Directive> block;
};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string Dirname(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// `p` made absolute against `base`, with "." and ".." components and repeated slashes folded
// lexically (configuration paths name files in the host's namespace; symlinks are not resolved).
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

// ---------------------------------------------------------------------------------------------
// Shared include machinery.

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

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
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

// ---------------------------------------------------------------------------------------------
// Apache httpd

// Splits an Apache argument list: blanks separate, "..." and '...' group, \" escapes a quote.
std::vector<std::string> ApacheArgs(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < kMaxArgs) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size()) break;
    std::string arg;
    if (s[i] == '"' || s[i] == '\'') {
      const char q = s[i++];
      while (i < s.size() && s[i] != q) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == q || s[i + 1] == '\\')) ++i;
        arg.push_back(s[i++]);
      }
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && !IsSpace(s[i])) arg.push_back(s[i++]);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

// Expands ${NAME} from Define; unknown names stay as written. A value that would grow past
// kMaxExpansion (Define A ${A}${A} doubles on every line) is not expanded and *too_long is set.
std::string ExpandDefines(const std::string& s, const std::map<std::string, std::string>& defines,
                          bool* too_long) {
  if (defines.empty() || s.find("${") == std::string::npos) return s;
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "${") == 0) {
      const auto close = s.find('}', i + 2);
      if (close != std::string::npos) {
        auto it = defines.find(s.substr(i + 2, close - i - 2));
        if (it != defines.end()) {
          if (out.size() + it->second.size() > kMaxExpansion) {
            *too_long = true;
            return s;
          }
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

bool IsApacheIncludeDirective(std::string_view name) {
  return EqualsNoCase(name, "Include") || EqualsNoCase(name, "IncludeOptional");
}

void ParseApacheText(ParseState* st, std::string_view text, std::size_t file, int include_depth,
                     std::vector<Directive>* out) {
  WebConfig& cfg = *st->cfg;
  // Open sections of this file: the directive vector each level appends to.
  std::vector<Directive*> open;
  auto current = [&]() -> std::vector<Directive>* {
    return open.empty() ? out : &open.back()->block;
  };
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    // One logical line: physical lines joined where they end in a backslash.
    std::string logical;
    const int first_line = line_no + 1;
    bool too_long = false;
    for (;;) {
      const auto nl = text.find('\n', pos);
      std::string_view phys = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      ++line_no;
      if (!phys.empty() && phys.back() == '\r') phys.remove_suffix(1);
      const bool cont = !phys.empty() && phys.back() == '\\';
      if (cont) phys.remove_suffix(1);
      if (logical.size() + phys.size() > kMaxApacheLine) {
        too_long = true;
      } else {
        logical.append(phys);
      }
      if (!cont || pos >= text.size()) break;
    }
    if (too_long) {
      cfg.errors.push_back(Where(cfg, file, first_line) + ": line longer than " +
                           std::to_string(kMaxApacheLine) + " bytes skipped");
      continue;
    }
    std::string_view line = TrimView(logical);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("</")) {
      std::string_view name = line.substr(2);
      if (const auto gt = name.find('>'); gt != std::string_view::npos) name = name.substr(0, gt);
      name = TrimView(name);
      if (open.empty()) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": </" + std::string(name) +
                             "> without matching <" + std::string(name) + "> section");
        continue;
      }
      if (!EqualsNoCase(open.back()->name, name)) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": expected </" + open.back()->name +
                             "> but saw </" + std::string(name) + ">");
        // Close up to a matching section when there is one, else ignore the line.
        auto match = std::find_if(open.rbegin(), open.rend(),
                                  [&](Directive* d) { return EqualsNoCase(d->name, name); });
        if (match == open.rend()) continue;
        open.erase(std::next(match).base(), open.end());
        continue;
      }
      open.pop_back();
      continue;
    }
    Directive d;
    d.file = file;
    d.line = first_line;
    if (line.front() == '<') {
      std::string_view body = line.substr(1);
      const auto gt = body.rfind('>');
      if (gt == std::string_view::npos) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": section \"" +
                             std::string(body.substr(0, body.find(' '))) + "\" lacks \">\"");
        continue;
      }
      body = TrimView(body.substr(0, gt));
      const auto sp = std::find_if(body.begin(), body.end(), IsSpace);
      d.name = std::string(body.begin(), sp);
      bool expand_too_long = false;
      for (std::string& a : ApacheArgs(std::string_view(sp, body.end()))) {
        d.args.push_back(ExpandDefines(a, st->defines, &expand_too_long));
      }
      if (expand_too_long) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": ${...} expansion grows past " +
                             std::to_string(kMaxExpansion) + " bytes; left unexpanded");
      }
      d.is_block = true;
      if (d.name.empty()) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": empty section name");
        continue;
      }
      if (open.size() >= static_cast<std::size_t>(kMaxNesting)) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": sections nested too deeply");
        return;
      }
      current()->push_back(std::move(d));
      open.push_back(&current()->back());
      continue;
    }
    const auto sp = std::find_if(line.begin(), line.end(), IsSpace);
    d.name = std::string(line.begin(), sp);
    bool expand_too_long = false;
    std::size_t grown = 0;  // bytes the expansions added to this line
    for (std::string& a : ApacheArgs(std::string_view(sp, line.end()))) {
      d.args.push_back(ExpandDefines(a, st->defines, &expand_too_long));
      if (d.args.back().size() > a.size()) grown += d.args.back().size() - a.size();
      if (grown > kMaxExpansion) {
        expand_too_long = true;
        grown -= d.args.back().size() - a.size();
        d.args.back() = a;
      }
    }
    if (expand_too_long) {
      cfg.errors.push_back(Where(cfg, file, first_line) + ": ${...} expansion grows past " +
                           std::to_string(kMaxExpansion) + " bytes; left unexpanded");
    }
    if (EqualsNoCase(d.name, "Define") && !d.args.empty()) {
      st->defines[d.args[0]] = d.args.size() > 1 ? d.args[1] : "";
    } else if (EqualsNoCase(d.name, "ServerRoot") && d.args.size() == 1 && open.empty()) {
      st->include_base = Absolute(d.args[0], st->include_base);
    } else if (IsApacheIncludeDirective(d.name)) {
      if (d.args.size() != 1) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": " + d.name + " takes one argument");
        continue;
      }
      const bool optional = EqualsNoCase(d.name, "IncludeOptional");
      const std::string pattern = Absolute(d.args[0], st->include_base);
      ExpandInclude(st, pattern, optional, file, first_line, include_depth, current(),
                    [st](std::string_view t, std::size_t f, int depth,
                         std::vector<Directive>* into) { ParseApacheText(st, t, f, depth, into); });
      // Sections stay valid: `open` points into the vectors of enclosing levels, and the include
      // only appends to the innermost one.
      continue;
    }
    current()->push_back(std::move(d));
  }
  for (Directive* o : open) {
    cfg.errors.push_back(Where(cfg, file, o->line) + ": <" + o->name + "> is not closed");
  }
}

bool IsConditionalSection(std::string_view name) {
  return EqualsNoCase(name, "IfModule") || EqualsNoCase(name, "IfDefine") ||
         EqualsNoCase(name, "IfVersion") || EqualsNoCase(name, "IfFile") ||
         EqualsNoCase(name, "IfDirective") || EqualsNoCase(name, "IfSection");
}

// Visits the directives of `block` at server level: conditional sections are entered, others
// (VirtualHost, Directory, Location, ...) are handed to `section`.
template <typename DirectiveFn, typename SectionFn>
void VisitApacheLevel(const std::vector<Directive>& block, const DirectiveFn& directive,
                      const SectionFn& section, int nesting = 0) {
  if (nesting > kMaxNesting) return;
  for (const Directive& d : block) {
    if (d.is_block) {
      if (IsConditionalSection(d.name)) {
        VisitApacheLevel(d.block, directive, section, nesting + 1);
      } else {
        section(d);
      }
    } else {
      directive(d);
    }
  }
}

// Proxy targets anywhere inside a section (Location, FilesMatch, ...).
void ApacheUpstreams(const std::vector<Directive>& block, WebSite* site, int nesting = 0) {
  if (nesting > kMaxNesting) return;
  for (const Directive& d : block) {
    if (d.is_block) {
      ApacheUpstreams(d.block, site, nesting + 1);
    } else if ((EqualsNoCase(d.name, "ProxyPass") || EqualsNoCase(d.name, "ProxyPassMatch"))) {
      // ProxyPass [path] url|! [key=value...]; inside <Location> the path is omitted.
      for (const std::string& a : d.args) {
        if (a.find("://") != std::string::npos || a.starts_with("unix:")) {
          AddUnique(&site->upstreams, a);
          break;
        }
      }
    } else if (EqualsNoCase(d.name, "SetHandler") && d.args.size() == 1 &&
               ToLower(d.args[0]).starts_with("proxy:")) {
      AddUnique(&site->upstreams, d.args[0].substr(6));
    }
  }
}

std::string ApacheListen(std::string_view a) {
  if (AllDigits(a)) return "*:" + std::string(a);
  if (a.starts_with('[')) {
    const auto close = a.find(']');
    if (close != std::string_view::npos && close + 1 < a.size() && a[close + 1] == ':') {
      return std::string(a);
    }
    return std::string(a) + ":*";
  }
  if (a.find(':') != std::string_view::npos) return std::string(a);
  return std::string(a) + ":*";
}

// "https://www.example.com:443" -> "www.example.com".
std::string ApacheServerName(std::string_view n) {
  if (const auto scheme = n.find("://"); scheme != std::string_view::npos) {
    n = n.substr(scheme + 3);
  }
  if (!n.starts_with('[')) {
    if (const auto colon = n.rfind(':'); colon != std::string_view::npos) n = n.substr(0, colon);
  }
  return std::string(n);
}

struct ApacheServerLevel {
  std::string document_root;
  bool has_document_root = false;
  std::vector<std::string> names;
  std::vector<std::string> aliases;  // Alias / ScriptAlias targets
  bool tls = false;
  WebSite extra;  // upstreams
};

void ReadApacheServerLevel(const std::vector<Directive>& block, const std::string& server_root,
                           ApacheServerLevel* level,
                           std::vector<const Directive*>* vhosts = nullptr,
                           std::vector<std::string>* listens = nullptr) {
  VisitApacheLevel(
      block,
      [&](const Directive& d) {
        if (EqualsNoCase(d.name, "DocumentRoot") && d.args.size() == 1) {
          level->document_root = Absolute(d.args[0], server_root);
          level->has_document_root = true;
        } else if (EqualsNoCase(d.name, "ServerName") && !d.args.empty()) {
          AddUnique(&level->names, ApacheServerName(d.args[0]));
        } else if (EqualsNoCase(d.name, "ServerAlias")) {
          for (const std::string& a : d.args) AddUnique(&level->names, a);
        } else if ((EqualsNoCase(d.name, "Alias") || EqualsNoCase(d.name, "ScriptAlias")) &&
                   d.args.size() == 2) {
          AddUnique(&level->aliases, Absolute(d.args[1], server_root));
        } else if (EqualsNoCase(d.name, "SSLEngine") && d.args.size() == 1) {
          level->tls = ToLower(d.args[0]) == "on";
        } else if (listens != nullptr && EqualsNoCase(d.name, "Listen") && !d.args.empty()) {
          AddUnique(listens, ApacheListen(d.args[0]));
        } else if (EqualsNoCase(d.name, "ProxyPass") || EqualsNoCase(d.name, "ProxyPassMatch")) {
          ApacheUpstreams({d}, &level->extra);
        }
      },
      [&](const Directive& s) {
        if (EqualsNoCase(s.name, "VirtualHost")) {
          if (vhosts != nullptr) vhosts->push_back(&s);
        } else {
          ApacheUpstreams(s.block, &level->extra);
        }
      });
}

void CollectApacheSites(WebConfig* cfg, const std::vector<Directive>& top,
                        const std::string& server_root, const WebConfigLimits& limits) {
  ApacheServerLevel main;
  std::vector<const Directive*> vhosts;
  std::vector<std::string> listens;
  ReadApacheServerLevel(top, server_root, &main, &vhosts, &listens);
  if (main.has_document_root || !main.names.empty() || !main.aliases.empty()) {
    WebSite site;
    site.server = "apache";
    site.config = cfg->files.empty() ? "" : cfg->files[0];
    site.line = 0;
    site.names = main.names;
    site.listen = listens;
    site.tls = main.tls;
    site.default_server = vhosts.empty();
    site.root = main.document_root;
    site.other_roots = main.aliases;
    site.upstreams = main.extra.upstreams;
    cfg->sites.push_back(std::move(site));
  }
  std::set<std::string> seen_addresses;
  for (const Directive* vh : vhosts) {
    if (cfg->sites.size() >= limits.max_sites) {
      cfg->errors.push_back(Where(*cfg, vh->file, vh->line) + ": site limit (" +
                            std::to_string(limits.max_sites) + ") reached");
      return;
    }
    ApacheServerLevel level;
    ReadApacheServerLevel(vh->block, server_root, &level);
    WebSite site;
    site.server = "apache";
    site.config = cfg->files[vh->file];
    site.line = vh->line;
    site.names = level.names;
    for (const std::string& a : vh->args) {
      std::string l = ApacheListen(a);
      if (seen_addresses.insert(l).second) site.default_server = true;
      AddUnique(&site.listen, std::move(l));
    }
    site.tls = level.tls;
    // A vhost without DocumentRoot serves the main server's.
    site.root = level.has_document_root ? level.document_root : main.document_root;
    site.other_roots = level.aliases;
    std::erase(site.other_roots, site.root);
    site.upstreams = level.extra.upstreams;
    cfg->sites.push_back(std::move(site));
  }
}

// ---------------------------------------------------------------------------------------------
// Tomcat server.xml

struct XmlTag {
  std::string name;
  std::map<std::string, std::string> attrs;
  bool closing = false;       // </name>
  bool self_closing = false;  // <name/>
  int line = 0;
};

std::string XmlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool matched = false;
      for (const auto& [ent, c] : kEntities) {
        if (s.substr(i).starts_with(ent)) {
          out.push_back(c);
          i += ent.size() - 1;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

// Calls fn(tag) for each element tag of `text`; comments, CDATA, declarations and processing
// instructions are skipped. Errors (an unterminated construct) go to *errors.
template <typename Fn>
void ForEachXmlTag(std::string_view text, const std::string& path, std::vector<std::string>* errors,
                   const Fn& fn) {
  std::size_t pos = 0;
  int line = 1;
  auto advance_to = [&](std::size_t to) {
    line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(pos),
                                        text.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
    pos = to;
  };
  auto skip_past = [&](std::string_view end, const char* what) {
    const auto e = text.find(end, pos);
    if (e == std::string_view::npos) {
      errors->push_back(path + ":" + std::to_string(line) + ": unterminated " + what);
      advance_to(text.size());
      return false;
    }
    advance_to(e + end.size());
    return true;
  };
  while (pos < text.size()) {
    const auto lt = text.find('<', pos);
    if (lt == std::string_view::npos) return;
    advance_to(lt);
    const std::string_view rest = text.substr(pos);
    if (rest.starts_with("<!--")) {
      if (!skip_past("-->", "comment")) return;
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      if (!skip_past("]]>", "CDATA section")) return;
      continue;
    }
    if (rest.starts_with("<?")) {
      if (!skip_past("?>", "processing instruction")) return;
      continue;
    }
    if (rest.starts_with("<!")) {
      if (!skip_past(">", "declaration")) return;
      continue;
    }
    XmlTag tag;
    tag.line = line;
    std::size_t i = pos + 1;
    if (i < text.size() && text[i] == '/') {
      tag.closing = true;
      ++i;
    }
    const std::size_t name_start = i;
    while (i < text.size() && !IsSpace(text[i]) && text[i] != '>' && text[i] != '/') ++i;
    tag.name = std::string(text.substr(name_start, i - name_start));
    bool closed = false;
    while (i < text.size()) {
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i >= text.size()) break;
      if (text[i] == '>') {
        closed = true;
        ++i;
        break;
      }
      if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '>') {
        tag.self_closing = true;
        closed = true;
        i += 2;
        break;
      }
      const std::size_t attr_start = i;
      while (i < text.size() && !IsSpace(text[i]) && text[i] != '=' && text[i] != '>' &&
             text[i] != '/') {
        ++i;
      }
      std::string attr(text.substr(attr_start, i - attr_start));
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i < text.size() && text[i] == '=') {
        ++i;
        while (i < text.size() && IsSpace(text[i])) ++i;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
          const char q = text[i++];
          const auto end = text.find(q, i);
          if (end == std::string_view::npos) break;
          tag.attrs[attr] = XmlDecode(text.substr(i, end - i));
          i = end + 1;
          continue;
        }
      }
      if (attr.empty()) ++i;  // a stray character; step over it
    }
    if (!closed) {
      errors->push_back(path + ":" + std::to_string(tag.line) + ": unterminated tag <" + tag.name +
                        ">");
      return;
    }
    advance_to(i);
    if (!tag.name.empty()) fn(tag);
  }
}

// ---------------------------------------------------------------------------------------------
// Caddy (Caddyfile)

struct CaddyToken {
  std::string text;
  int line = 0;
  bool quoted = false;
};

// Tokens grouped by line: blanks separate, "..." (with \" escapes) and `...` quote, # starts a
// comment at the start of a token. A quoted token may span lines; it belongs to the line it
// starts on.
std::vector<std::vector<CaddyToken>> CaddyLines(std::string_view s, const WebConfig& cfg,
                                                std::size_t file,
                                                std::vector<std::string>* errors) {
  std::vector<std::vector<CaddyToken>> lines;
  std::vector<CaddyToken> current;
  int line = 1;
  std::size_t i = 0;
  const auto end_line = [&]() {
    if (!current.empty()) lines.push_back(std::move(current));
    current.clear();
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      end_line();
      ++line;
      ++i;
      continue;
    }
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    CaddyToken t;
    t.line = line;
    if (c == '"' || c == '`') {
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (c == '"' && s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '"') {
          t.text.push_back('"');
          i += 2;
          continue;
        }
        if (s[i] == c) {
          closed = true;
          ++i;
          break;
        }
        if (s[i] == '\n') ++line;
        t.text.push_back(s[i++]);
      }
      if (!closed) {
        errors->push_back(Where(cfg, file, t.line) + ": unterminated quoted string");
        break;
      }
    } else {
      while (i < s.size() && !IsSpace(s[i])) t.text.push_back(s[i++]);
    }
    current.push_back(std::move(t));
  }
  end_line();
  return lines;
}

struct CaddyNode {
  std::vector<std::string> words;  // the directive, or the header of a block
  int line = 0;
  std::size_t file = 0;
  bool is_block = false;
  std::vector<CaddyNode> block;
};

// Builds the block tree from lines; a line ending in an unquoted "{" opens a block, a line that is
// exactly "}" closes one.
void CaddyTree(const std::vector<std::vector<CaddyToken>>& lines, std::size_t* at, std::size_t file,
               int nesting, bool expect_close, const WebConfig& cfg,
               std::vector<std::string>* errors, std::vector<CaddyNode>* out) {
  while (*at < lines.size()) {
    const std::vector<CaddyToken>& l = lines[(*at)++];
    if (l.size() == 1 && !l[0].quoted && l[0].text == "}") {
      if (expect_close) return;
      errors->push_back(Where(cfg, file, l[0].line) + ": unexpected \"}\"");
      continue;
    }
    CaddyNode n;
    n.line = l[0].line;
    n.file = file;
    for (const CaddyToken& t : l) n.words.push_back(t.text);
    if (!l.back().quoted && l.back().text == "{") {
      n.words.pop_back();
      n.is_block = true;
      if (nesting + 1 >= kMaxNesting) {
        errors->push_back(Where(cfg, file, n.line) + ": blocks nested too deeply");
        *at = lines.size();
        return;
      }
      CaddyTree(lines, at, file, nesting + 1, true, cfg, errors, &n.block);
    }
    out->push_back(std::move(n));
  }
  if (expect_close) {
    errors->push_back(Where(cfg, file, lines.empty() ? 0 : lines.back().back().line) +
                      ": unexpected end of file, expecting \"}\"");
  }
}

void ParseCaddyText(ParseState* st, std::string_view text, std::size_t file, int include_depth,
                    std::vector<CaddyNode>* out) {
  WebConfig& cfg = *st->cfg;
  const auto lines = CaddyLines(text, cfg, file, &cfg.errors);
  std::size_t at = 0;
  std::vector<CaddyNode> nodes;
  CaddyTree(lines, &at, file, 0, false, cfg, &cfg.errors, &nodes);
  for (CaddyNode& n : nodes) {
    // A top-level `import FILE-PATTERN` (not a snippet name) pulls in files in place.
    if (!n.is_block && n.words.size() >= 2 && n.words[0] == "import" &&
        (n.words[1].find('/') != std::string::npos ||
         n.words[1].find_first_of("*?[") != std::string::npos)) {
      const std::string pattern = Absolute(n.words[1], st->include_base);
      std::vector<Directive> unused;
      const auto parse = [&](std::string_view t, std::size_t f, int depth,
                             std::vector<Directive>*) { ParseCaddyText(st, t, f, depth, out); };
      ExpandInclude(st, pattern, true, file, n.line, include_depth, &unused, parse);
      continue;
    }
    out->push_back(std::move(n));
  }
}

// "https://example.com:8443" -> listen "*:8443", tls; ":8080" -> "*:8080"; "example.com" -> 443.
void CaddyAddress(std::string_view a, WebSite* site) {
  std::string_view scheme;
  if (const auto p = a.find("://"); p != std::string_view::npos) {
    scheme = a.substr(0, p);
    a = a.substr(p + 3);
  }
  if (const auto slash = a.find('/'); slash != std::string_view::npos) a = a.substr(0, slash);
  std::string_view host = a;
  std::string port;
  if (a.starts_with('[')) {
    const auto close = a.find(']');
    if (close != std::string_view::npos) {
      host = a.substr(1, close - 1);
      if (close + 1 < a.size() && a[close + 1] == ':') port = std::string(a.substr(close + 2));
    }
  } else if (const auto colon = a.rfind(':'); colon != std::string_view::npos) {
    host = a.substr(0, colon);
    port = std::string(a.substr(colon + 1));
  }
  if (port.empty()) port = scheme == "http" ? "80" : "443";
  const bool tls = scheme == "https" || (scheme.empty() && !host.empty() && port != "80");
  if (tls) site->tls = true;
  if (!host.empty()) AddUnique(&site->names, std::string(host));
  AddUnique(&site->listen, "*:" + port);
}

bool IsCaddyMatcher(std::string_view w) {
  return w == "*" || w.starts_with('/') || w.starts_with('@');
}

void ScanCaddySite(const std::vector<CaddyNode>& block,
                   const std::map<std::string, std::vector<CaddyNode>>& snippets, WebSite* site,
                   int nesting) {
  if (nesting > kMaxNesting) return;
  for (const CaddyNode& n : block) {
    if (n.words.empty()) continue;
    const std::string& d = n.words[0];
    if (d == "import" && n.words.size() >= 2) {
      auto it = snippets.find(n.words[1]);
      if (it != snippets.end()) ScanCaddySite(it->second, snippets, site, nesting + 1);
    } else if (d == "root" && n.words.size() >= 2) {
      // root [<matcher>] <path>
      const std::string& path = n.words.back();
      if (n.words.size() == 2 || IsCaddyMatcher(n.words[1])) {
        if (site->root.empty()) {
          site->root = path;
        } else if (path != site->root) {
          AddUnique(&site->other_roots, path);
        }
      }
    } else if (d == "reverse_proxy" || d == "php_fastcgi") {
      for (std::size_t i = 1; i < n.words.size(); ++i) {
        if (i == 1 && IsCaddyMatcher(n.words[i])) continue;
        AddUnique(&site->upstreams, n.words[i]);
      }
    } else if (d == "tls" && !(n.words.size() == 2 && n.words[1] == "off")) {
      site->tls = true;
    }
    if (n.is_block && !d.starts_with('@')) ScanCaddySite(n.block, snippets, site, nesting + 1);
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

WebConfig ParseApacheConfig(std::string_view text, const std::string& path,
                            const std::string& server_root, const WebFileReader& read,
                            const WebConfigLimits& limits) {
  WebConfig cfg;
  cfg.files.push_back(path);
  ParseState st{&cfg, &read, &limits, server_root, {}, false};
  std::vector<Directive> top;
  ParseApacheText(&st, text, 0, 0, &top);
  CollectApacheSites(&cfg, top, st.include_base, limits);
  return cfg;
}

WebConfig ParseTomcatServerXml(std::string_view text, const std::string& path,
                               const std::string& catalina_base) {
  WebConfig cfg;
  cfg.files.push_back(path);
  std::vector<std::string> connectors;  // listen strings of the current <Service>
  bool service_tls = false;
  std::vector<WebSite> hosts;  // hosts of the current service (listen filled at </Service>)
  WebSite* host = nullptr;
  const auto finish_service = [&]() {
    for (WebSite& h : hosts) {
      h.listen = connectors;
      h.tls = service_tls;
      cfg.sites.push_back(std::move(h));
    }
    hosts.clear();
    connectors.clear();
    service_tls = false;
    host = nullptr;
  };
  std::string default_host;
  ForEachXmlTag(text, path, &cfg.errors, [&](const XmlTag& tag) {
    const auto attr = [&](const char* name) -> std::string {
      auto it = tag.attrs.find(name);
      return it == tag.attrs.end() ? std::string() : it->second;
    };
    if (tag.name == "Service") {
      if (tag.closing || tag.self_closing) finish_service();
      if (!tag.closing && !tag.self_closing) {
        hosts.clear();
        connectors.clear();
      }
    } else if (tag.name == "Connector" && !tag.closing) {
      const std::string port = attr("port");
      if (port.empty() || ToLower(attr("protocol")).starts_with("ajp")) return;
      const std::string address = attr("address");
      AddUnique(&connectors, (address.empty() ? std::string("*") : address) + ":" + port);
      if (ToLower(attr("SSLEnabled")) == "true" || ToLower(attr("secure")) == "true" ||
          ToLower(attr("scheme")) == "https") {
        service_tls = true;
      }
    } else if (tag.name == "Engine" && !tag.closing) {
      default_host = attr("defaultHost");
    } else if (tag.name == "Host") {
      if (tag.closing) {
        host = nullptr;
        return;
      }
      if (cfg.sites.size() + hosts.size() >= WebConfigLimits{}.max_sites) return;
      WebSite site;
      site.server = "tomcat";
      site.config = path;
      site.line = tag.line;
      AddUnique(&site.names, attr("name"));
      site.default_server = !default_host.empty() && attr("name") == default_host;
      std::string app_base = attr("appBase");
      if (app_base.empty()) app_base = "webapps";
      site.root = Absolute(app_base, catalina_base);
      hosts.push_back(std::move(site));
      host = tag.self_closing ? nullptr : &hosts.back();
    } else if (tag.name == "Context" && host != nullptr && !tag.closing) {
      const std::string doc_base = attr("docBase");
      if (!doc_base.empty()) {
        std::string p = Absolute(doc_base, host->root);
        if (p != host->root) AddUnique(&host->other_roots, std::move(p));
      }
    }
  });
  finish_service();
  return cfg;
}

WebConfig ParseCaddyfile(std::string_view text, const std::string& path, const WebFileReader& read,
                         const WebConfigLimits& limits) {
  WebConfig cfg;
  cfg.files.push_back(path);
  ParseState st{&cfg, &read, &limits, Dirname(path), {}, false};
  std::vector<CaddyNode> nodes;
  ParseCaddyText(&st, text, 0, 0, &nodes);
  std::map<std::string, std::vector<CaddyNode>> snippets;
  std::vector<const CaddyNode*> sites;
  bool first = true;
  for (const CaddyNode& n : nodes) {
    const bool global = first && n.is_block && n.words.empty();
    first = false;
    if (global) continue;
    if (n.is_block && n.words.size() == 1 && n.words[0].size() > 2 && n.words[0].front() == '(' &&
        n.words[0].back() == ')') {
      snippets[n.words[0].substr(1, n.words[0].size() - 2)] = n.block;
      continue;
    }
    sites.push_back(&n);
  }
  // Without braces, the whole file is one site: addresses on its first line, then directives.
  if (!sites.empty() && !sites.front()->is_block) {
    WebSite site;
    site.server = "caddy";
    site.config = cfg.files[sites.front()->file];
    site.line = sites.front()->line;
    for (const std::string& w : sites.front()->words) {
      for (std::string_view a : Split(w, ',')) {
        if (!a.empty()) CaddyAddress(a, &site);
      }
    }
    std::vector<CaddyNode> body;
    for (std::size_t i = 1; i < sites.size(); ++i) body.push_back(*sites[i]);
    ScanCaddySite(body, snippets, &site, 0);
    cfg.sites.push_back(std::move(site));
    return cfg;
  }
  for (const CaddyNode* n : sites) {
    if (!n->is_block) {
      cfg.errors.push_back(Where(cfg, n->file, n->line) + ": directive \"" +
                           (n->words.empty() ? std::string() : n->words[0]) +
                           "\" outside a site block");
      continue;
    }
    if (cfg.sites.size() >= limits.max_sites) {
      cfg.errors.push_back(Where(cfg, n->file, n->line) + ": site limit (" +
                           std::to_string(limits.max_sites) + ") reached");
      break;
    }
    WebSite site;
    site.server = "caddy";
    site.config = cfg.files[n->file];
    site.line = n->line;
    for (const std::string& w : n->words) {
      for (std::string_view a : Split(w, ',')) {
        if (!a.empty()) CaddyAddress(a, &site);
      }
    }
    ScanCaddySite(n->block, snippets, &site, 0);
    cfg.sites.push_back(std::move(site));
  }
  return cfg;
}

}  // namespace rampart::agent
