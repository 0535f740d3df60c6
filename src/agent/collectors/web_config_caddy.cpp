#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "agent/collectors/web_config.h"
#include "agent/collectors/web_config_internal.h"
#include "common/strings.h"

namespace rampart::agent {

using namespace web_detail;  // the shared parser pieces

namespace {

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
