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

constexpr std::size_t kMaxApacheLine = std::size_t{64} << 10;
// Bytes an Apache line's ${...} expansions may produce (a hostile Define chain stays cheap).
constexpr std::size_t kMaxExpansion = std::size_t{16} << 10;

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
  return EqualsIgnoreCase(name, "Include") || EqualsIgnoreCase(name, "IncludeOptional");
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
      if (!EqualsIgnoreCase(open.back()->name, name)) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": expected </" + open.back()->name +
                             "> but saw </" + std::string(name) + ">");
        // Close up to a matching section when there is one, else ignore the line.
        auto match = std::find_if(open.rbegin(), open.rend(),
                                  [&](Directive* d) { return EqualsIgnoreCase(d->name, name); });
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
    if (EqualsIgnoreCase(d.name, "Define") && !d.args.empty()) {
      st->defines[d.args[0]] = d.args.size() > 1 ? d.args[1] : "";
    } else if (EqualsIgnoreCase(d.name, "ServerRoot") && d.args.size() == 1 && open.empty()) {
      st->include_base = Absolute(d.args[0], st->include_base);
    } else if (IsApacheIncludeDirective(d.name)) {
      if (d.args.size() != 1) {
        cfg.errors.push_back(Where(cfg, file, first_line) + ": " + d.name + " takes one argument");
        continue;
      }
      const bool optional = EqualsIgnoreCase(d.name, "IncludeOptional");
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
  return EqualsIgnoreCase(name, "IfModule") || EqualsIgnoreCase(name, "IfDefine") ||
         EqualsIgnoreCase(name, "IfVersion") || EqualsIgnoreCase(name, "IfFile") ||
         EqualsIgnoreCase(name, "IfDirective") || EqualsIgnoreCase(name, "IfSection");
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
    } else if ((EqualsIgnoreCase(d.name, "ProxyPass") ||
                EqualsIgnoreCase(d.name, "ProxyPassMatch"))) {
      // ProxyPass [path] url|! [key=value...]; inside <Location> the path is omitted.
      for (const std::string& a : d.args) {
        if (a.find("://") != std::string::npos || a.starts_with("unix:")) {
          AddUnique(&site->upstreams, a);
          break;
        }
      }
    } else if (EqualsIgnoreCase(d.name, "SetHandler") && d.args.size() == 1 &&
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
        if (EqualsIgnoreCase(d.name, "DocumentRoot") && d.args.size() == 1) {
          level->document_root = Absolute(d.args[0], server_root);
          level->has_document_root = true;
        } else if (EqualsIgnoreCase(d.name, "ServerName") && !d.args.empty()) {
          AddUnique(&level->names, ApacheServerName(d.args[0]));
        } else if (EqualsIgnoreCase(d.name, "ServerAlias")) {
          for (const std::string& a : d.args) AddUnique(&level->names, a);
        } else if ((EqualsIgnoreCase(d.name, "Alias") || EqualsIgnoreCase(d.name, "ScriptAlias")) &&
                   d.args.size() == 2) {
          AddUnique(&level->aliases, Absolute(d.args[1], server_root));
        } else if (EqualsIgnoreCase(d.name, "SSLEngine") && d.args.size() == 1) {
          level->tls = ToLower(d.args[0]) == "on";
        } else if (listens != nullptr && EqualsIgnoreCase(d.name, "Listen") && !d.args.empty()) {
          AddUnique(listens, ApacheListen(d.args[0]));
        } else if (EqualsIgnoreCase(d.name, "ProxyPass") ||
                   EqualsIgnoreCase(d.name, "ProxyPassMatch")) {
          ApacheUpstreams({d}, &level->extra);
        }
      },
      [&](const Directive& s) {
        if (EqualsIgnoreCase(s.name, "VirtualHost")) {
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

}  // namespace

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

}  // namespace rampart::agent
