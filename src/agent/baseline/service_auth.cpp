#include "agent/baseline/service_auth.h"

#include "common/strings.h"

namespace rampart::agent::baseline {
namespace {

std::string At(std::string_view file, int line) {
  return std::string(file) + ":" + std::to_string(line);
}

std::string_view StripComment(std::string_view line) {
  const auto hash = line.find('#');
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  return TrimView(line);
}

// A flattened view of a small YAML config: "a.b.c" -> value, with the line. Handles nested maps by
// indentation and flat dotted keys; lists and multi-line values are ignored.
struct FlatYaml {
  std::vector<std::pair<std::string, std::pair<std::string, int>>> items;
  const std::pair<std::string, int>* Find(std::string_view key) const {
    const std::pair<std::string, int>* found = nullptr;
    for (const auto& [k, v] : items) {
      if (ToLower(k) == ToLower(key)) found = &v;  // last wins
    }
    return found;
  }
};

FlatYaml FlattenYaml(std::string_view text) {
  FlatYaml out;
  std::vector<std::pair<std::size_t, std::string>> stack;  // indent, key
  int line_no = 0;
  ForEachLineOf(text, [&](std::string_view raw) {
    ++line_no;
    std::string_view line = raw;
    if (const auto hash = line.find(" #"); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    if (TrimView(line).empty() || TrimView(line)[0] == '#' || TrimView(line)[0] == '-') return;
    const std::size_t indent = line.find_first_not_of(' ');
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string key(TrimView(line.substr(indent, colon - indent)));
    std::string value = Unquote(TrimView(line.substr(colon + 1)));
    while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
    std::string full;
    for (const auto& [i, k] : stack) full += k + ".";
    full += key;
    if (value.empty()) {
      stack.emplace_back(indent, key);
    } else {
      out.items.push_back({full, {value, line_no}});
    }
  });
  return out;
}

bool AllLoopback(std::string_view list, char sep) {
  bool any = false;
  for (auto a : sep == ' ' ? SplitWhitespace(list) : Split(list, sep)) {
    a = TrimView(a);
    if (a.empty()) continue;
    any = true;
    if (!IsLoopbackAddress(a)) return false;
  }
  return any;
}

}  // namespace

bool IsLoopbackAddress(std::string_view addr) {
  addr = TrimView(addr);
  if (!addr.empty() && addr[0] == '-') addr.remove_prefix(1);  // redis "-::1" (optional bind)
  if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') {
    addr = addr.substr(1, addr.size() - 2);
  }
  if (const auto slash = addr.find('/'); slash != std::string_view::npos) {
    const auto bits = ParseInt<int>(addr.substr(slash + 1));
    addr = addr.substr(0, slash);
    if (StartsWith(addr, "127.") && (!bits || *bits < 8)) return false;
    if (addr == "::1" && (!bits || *bits != 128)) return false;
  }
  return StartsWith(addr, "127.") || addr == "::1" || addr == "localhost" ||
         addr == "::ffff:127.0.0.1";
}

ServiceFinding AnalyzeRedisConfig(std::string_view text, std::string_view file) {
  std::string bind;
  int bind_line = 0;
  bool protected_mode = true;
  bool password = false;
  int line_no = 0;
  ForEachLineOf(text, [&](std::string_view raw) {
    ++line_no;
    const std::string_view line = StripComment(raw);
    const auto words = SplitWhitespace(line);
    if (words.empty()) return;
    const std::string key = ToLower(words[0]);
    if (key == "bind") {
      bind = std::string(TrimView(line.substr(4)));
      bind_line = line_no;
    } else if (key == "protected-mode" && words.size() > 1) {
      protected_mode = ToLower(words[1]) != "no";
    } else if (key == "requirepass" && words.size() > 1 && Unquote(words[1]).size() > 0) {
      password = true;
    } else if (key == "user" && words.size() > 1 && words[1] == "default") {
      for (std::size_t i = 2; i < words.size(); ++i) {
        if (StartsWith(words[i], ">") || StartsWith(words[i], "#")) password = true;
      }
    } else if (key == "aclfile") {
      password = true;  // users and passwords come from the ACL file
    }
  });
  ServiceFinding f;
  if (password) {
    f.evidence = std::string(file) + ": a password is required (requirepass or ACL)";
    return f;
  }
  if (bind.empty()) {
    if (protected_mode) {
      f.evidence = std::string(file) +
                   ": no bind and no password, but protected-mode is on (only loopback clients)";
    } else {
      f.exposed = true;
      f.evidence =
          std::string(file) + ": no bind (every interface), no password and protected-mode no";
    }
    return f;
  }
  if (AllLoopback(bind, ' ')) {
    f.evidence = At(file, bind_line) + ": bind " + bind + " (loopback only), no password";
    return f;
  }
  f.exposed = true;
  f.evidence = At(file, bind_line) + ": bind " + bind + " without requirepass";
  return f;
}

ServiceFinding AnalyzePgHba(std::string_view text, std::string_view file) {
  ServiceFinding f;
  int line_no = 0;
  std::vector<std::string> hits;
  ForEachLineOf(text, [&](std::string_view raw) {
    ++line_no;
    const auto w = SplitWhitespace(StripComment(raw));
    if (w.size() < 4) return;
    const std::string type = ToLower(w[0]);
    if (type == "local") return;
    if (type != "host" && type != "hostssl" && type != "hostnossl" && type != "hostgssenc" &&
        type != "hostnogssenc") {
      return;
    }
    // host DATABASE USER ADDRESS [MASK] METHOD [OPTIONS]
    std::size_t method_at = 4;
    std::string address(w[3]);
    if (w.size() > 5 && w[3].find('/') == std::string_view::npos &&
        w[4].find('.') != std::string_view::npos) {
      address += "/" + std::string(w[4]);  // address and netmask columns
      method_at = 5;
    }
    if (w.size() <= method_at) return;
    if (ToLower(w[method_at]) != "trust") return;
    if (IsLoopbackAddress(address) || address == "127.0.0.1/255.255.255.255" ||
        address == "samehost") {
      return;
    }
    hits.push_back(At(file, line_no) + ": " + std::string(TrimView(raw)));
  });
  if (hits.empty()) {
    f.evidence = std::string(file) + ": no trust entry for non-local addresses";
  } else {
    f.exposed = true;
    f.evidence = Join(hits, "; ");
  }
  return f;
}

ServiceFinding AnalyzeMongodConfig(std::string_view text, std::string_view file) {
  ServiceFinding f;
  const FlatYaml y = FlattenYaml(text);
  std::string bind = "127.0.0.1";  // the default since MongoDB 3.6
  int bind_line = 0;
  bool auth = false;
  int auth_line = 0;
  if (const auto* v = y.Find("net.bindIp")) {
    bind = v->first;
    bind_line = v->second;
  }
  if (const auto* v = y.Find("net.bindIpAll"); v && ToLower(v->first) == "true") {
    bind = "0.0.0.0";
    bind_line = v->second;
  }
  if (const auto* v = y.Find("security.authorization")) {
    auth = ToLower(v->first) == "enabled";
    auth_line = v->second;
  }
  // legacy ini format: bind_ip = ..., auth = true
  int line_no = 0;
  ForEachLineOf(text, [&](std::string_view raw) {
    ++line_no;
    const std::string_view line = StripComment(raw);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return;
    const std::string key = ToLower(TrimView(line.substr(0, eq)));
    const std::string value(TrimView(line.substr(eq + 1)));
    if (key == "bind_ip") {
      bind = value;
      bind_line = line_no;
    } else if (key == "auth") {
      auth = ToLower(value) == "true";
      auth_line = line_no;
    }
  });
  if (auth) {
    f.evidence = At(file, auth_line) + ": authorization enabled";
  } else if (AllLoopback(bind, ',')) {
    f.evidence = std::string(file) + ": no authorization, but bindIp " + bind + " is loopback only";
  } else {
    f.exposed = true;
    f.evidence = (bind_line ? At(file, bind_line) : std::string(file)) + ": bindIp " + bind +
                 " without security.authorization: enabled";
  }
  return f;
}

ServiceFinding AnalyzeElasticsearchConfig(std::string_view text, std::string_view file) {
  ServiceFinding f;
  const FlatYaml y = FlattenYaml(text);
  std::string host = "_local_";  // the default
  int host_line = 0;
  if (const auto* v = y.Find("network.host")) {
    host = v->first;
    host_line = v->second;
  }
  const auto* sec = y.Find("xpack.security.enabled");
  const bool local = host == "_local_" || AllLoopback(host, ',');
  if (sec && ToLower(sec->first) == "false") {
    if (local) {
      f.evidence = At(file, sec->second) + ": security disabled, but network.host " + host +
                   " is loopback only";
    } else {
      f.exposed = true;
      f.evidence = At(file, sec->second) + ": xpack.security.enabled: false with network.host " +
                   host + (host_line ? " (line " + std::to_string(host_line) + ")" : "");
    }
  } else {
    f.evidence = std::string(file) + (sec ? ": xpack.security.enabled: " + sec->first
                                          : ": security on (the default since 8.0)");
  }
  return f;
}

}  // namespace rampart::agent::baseline
