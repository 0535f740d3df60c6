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

}  // namespace

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

}  // namespace rampart::agent
