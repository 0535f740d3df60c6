#include "agent/collectors/env_file.h"

#include <algorithm>
#include <array>
#include <optional>

#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxQuotedLines = 64;
constexpr std::size_t kMaxLogicalBytes = 256 << 10;
constexpr std::size_t kMaxBlockDepth = 1024;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsOperatorChar(char c) {
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

// Reads shell source one logical line at a time: '\' continuations joined, comments dropped, quoted
// newlines kept inside the line.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool Done() const { return pos_ >= text_.size(); }
  std::size_t line() const { return line_; }

  // Returns the next logical line and sets *start_line to its first physical line.
  std::string Next(std::size_t* start_line) {
    const std::size_t begin = pos_;
    const std::size_t begin_line = line_;
    *start_line = line_;
    std::string out;
    char quote = 0;
    std::size_t lines_in_quote = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (quote == 0) {
        if (c == '\n') {
          ++pos_;
          ++line_;
          return out;
        }
        if (c == '\\' && pos_ + 1 < text_.size()) {
          if (text_[pos_ + 1] == '\n') {
            ++line_;
          } else {
            out.push_back(c);
            out.push_back(text_[pos_ + 1]);
          }
          pos_ += 2;
          continue;
        }
        if (c == '#' && (out.empty() || IsBlank(out.back()) || out.back() == ';')) {
          while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
          continue;
        }
        if (c == '\'' || c == '"' || c == '`') quote = c;
      } else if (c == '\\' && quote != '\'' && pos_ + 1 < text_.size()) {
        if (text_[pos_ + 1] == '\n') ++line_;
        out.push_back(c);
        out.push_back(text_[pos_ + 1]);
        pos_ += 2;
        continue;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '\n') {
        ++line_;
        if (++lines_in_quote > kMaxQuotedLines) return Abandon(begin, begin_line);
      }
      if (out.size() >= kMaxLogicalBytes) return Abandon(begin, begin_line);
      out.push_back(c);
      ++pos_;
    }
    return out;
  }

  // Skips physical lines up to and including the one equal to `delim` (heredoc body).
  void SkipHeredoc(std::string_view delim, bool strip_tabs) {
    while (pos_ < text_.size()) {
      std::size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view l = text_.substr(pos_, nl - pos_);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (strip_tabs) {
        while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
      }
      pos_ = nl + 1;
      ++line_;
      if (l == delim) return;
    }
  }

 private:
  // An unterminated quote: drop what was read and resume on the physical line after the start.
  std::string Abandon(std::size_t begin, std::size_t begin_line) {
    std::size_t nl = text_.find('\n', begin);
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    line_ = begin_line + 1;
    return {};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

struct Token {
  bool op = false;
  std::string text;                    // unquoted word text, or the operator
  bool quoted = false;                 // any part was quoted
  std::size_t eq = std::string::npos;  // first '=' seen before any quote
};

// Appends a "$(...)", "${...}" or "`...`" construct verbatim, honouring nesting.
std::size_t CopyExpansion(std::string_view s, std::size_t i, std::string* out) {
  const char open = s[i + 1];
  const char close = open == '(' ? ')' : '}';
  int depth = 0;
  std::size_t j = i + 1;
  for (; j < s.size(); ++j) {
    if (s[j] == open) ++depth;
    if (s[j] == close && --depth == 0) break;
  }
  const std::size_t end = std::min(j + 1, s.size());
  out->append(s.substr(i, end - i));
  return end;
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (IsBlank(c) || c == '\n') {
      ++i;
      continue;
    }
    if (IsOperatorChar(c)) {
      Token t;
      t.op = true;
      t.text.push_back(c);
      if (i + 1 < s.size() && (s[i + 1] == c || (c == '<' && s[i + 1] == '<'))) {
        t.text.push_back(s[++i]);
        if (t.text == "<<" && i + 1 < s.size() && s[i + 1] == '-') t.text.push_back(s[++i]);
      }
      ++i;
      out.push_back(std::move(t));
      continue;
    }
    Token t;
    while (i < s.size() && !IsBlank(s[i]) && s[i] != '\n' && !IsOperatorChar(s[i])) {
      const char d = s[i];
      if (d == '\\' && i + 1 < s.size()) {
        t.quoted = true;
        t.text.push_back(s[i + 1]);
        i += 2;
      } else if (d == '\'' || d == '"' || d == '`') {
        t.quoted = true;
        std::size_t j = i + 1;
        if (d == '`') t.text.push_back('`');
        for (; j < s.size() && s[j] != d; ++j) {
          if (d == '"' && s[j] == '\\' && j + 1 < s.size() &&
              (s[j + 1] == '"' || s[j + 1] == '\\' || s[j + 1] == '$' || s[j + 1] == '`')) {
            ++j;
          } else if (d == '"' && s[j] == '$' && j + 1 < s.size() &&
                     (s[j + 1] == '(' || s[j + 1] == '{')) {
            j = CopyExpansion(s, j, &t.text) - 1;
            continue;
          }
          t.text.push_back(s[j]);
        }
        if (d == '`') t.text.push_back('`');
        i = std::min(j + 1, s.size());
      } else if (d == '$' && i + 1 < s.size() && (s[i + 1] == '(' || s[i + 1] == '{')) {
        i = CopyExpansion(s, i, &t.text);
      } else {
        if (d == '=' && t.eq == std::string::npos && !t.quoted) t.eq = t.text.size();
        t.text.push_back(d);
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool IsAssignmentWord(const Token& t) {
  return !t.op && t.eq != std::string::npos && t.eq > 0 &&
         IsShellName(std::string_view(t.text).substr(0, t.eq));
}

// Block structure of the script, so that only top-level commands are read.
class Blocks {
 public:
  bool top() const { return stack_.empty() && overflow_ == 0; }
  // Applies a word in command position; returns true when it was a block keyword.
  bool Word(std::string_view w) {
    if (w == "if") return Push('i');
    if (w == "case") return Push('c');
    if (w == "for" || w == "while" || w == "until" || w == "select") return Push('l');
    if (w == "{") return Push('{');
    if (w == "fi") return Pop('i');
    if (w == "esac") return Pop('c');
    if (w == "done") return Pop('l');
    if (w == "}") return Pop('{');
    return w == "then" || w == "else" || w == "elif" || w == "do" || w == "function" || w == "!";
  }
  void Paren(char c) {
    if (!stack_.empty() && stack_.back() == 'c') return;  // case patterns "a|b)" are not groups
    if (c == '(') Push('(');
    if (c == ')') Pop('(');
  }

 private:
  bool Push(char k) {
    if (stack_.size() < kMaxBlockDepth) {
      stack_.push_back(k);
    } else {
      ++overflow_;
    }
    return true;
  }
  bool Pop(char k) {
    if (overflow_ > 0) {
      --overflow_;
    } else if (!stack_.empty() && stack_.back() == k) {
      stack_.pop_back();
    }
    return true;
  }
  std::vector<char> stack_;
  std::size_t overflow_ = 0;
};

void ExtractCommand(const std::vector<Token>& words, std::size_t line,
                    std::vector<EnvAssignment>* out) {
  if (words.empty()) return;
  auto emit = [&](const Token& t) {
    out->push_back({t.text.substr(0, t.eq), t.text.substr(t.eq + 1), line});
  };
  const std::string& cmd = words[0].text;
  if (!words[0].quoted && (cmd == "export" || cmd == "declare" || cmd == "typeset")) {
    bool exported = cmd == "export";
    std::size_t i = 1;
    for (; i < words.size() && !words[i].text.empty() &&
           (words[i].text[0] == '-' || words[i].text[0] == '+');
         ++i) {
      const std::string& flags = words[i].text;
      if (flags == "-n" || (flags[0] == '+' && flags.find('x') != std::string::npos)) return;
      if (flags[0] == '-' && flags.find('x') != std::string::npos) exported = true;
      if (flags[0] == '-' && flags.find('f') != std::string::npos) return;  // functions
    }
    if (!exported) return;
    for (; i < words.size(); ++i) {
      if (IsAssignmentWord(words[i])) emit(words[i]);
    }
    return;
  }
  if (!words[0].quoted && cmd == "setenv") {
    if (words.size() < 2 || !IsShellName(words[1].text) || words.size() > 3) return;
    out->push_back({words[1].text, words.size() == 3 ? words[2].text : std::string(), line});
    return;
  }
  // Plain assignments; "A=1 cmd" only sets A for cmd.
  for (const auto& w : words) {
    if (!IsAssignmentWord(w)) return;
  }
  for (const auto& w : words) emit(w);
}

}  // namespace

std::vector<EnvAssignment> ParseShellEnv(std::string_view text, std::size_t max_results) {
  std::vector<EnvAssignment> out;
  LineReader reader(text);
  Blocks blocks;
  while (!reader.Done() && out.size() < max_results) {
    std::size_t line = 0;
    const std::string logical = reader.Next(&line);
    const auto tokens = Tokenize(logical);
    // Commands separated by operators; a command next to &&, ||, | or & is conditional or piped.
    std::vector<Token> cmd;
    bool cmd_at_top = blocks.top();
    bool joined_before = false;
    std::string heredoc;
    bool heredoc_tabs = false;
    auto finish = [&](bool joined_after) {
      if (cmd_at_top && blocks.top() && !joined_before && !joined_after)
        ExtractCommand(cmd, line, &out);
      cmd.clear();
      cmd_at_top = blocks.top();
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      if (t.op) {
        if (t.text == "<<" || t.text == "<<-") {
          if (i + 1 < tokens.size() && !tokens[i + 1].op) {
            heredoc = tokens[i + 1].text;
            heredoc_tabs = t.text == "<<-";
          }
          cmd_at_top = false;  // a command with a heredoc is not an assignment
          continue;
        }
        if (t.text == "(" || t.text == ")") {
          blocks.Paren(t.text[0]);
          cmd_at_top = false;
          continue;
        }
        if (t.text == "<" || t.text == ">" || t.text == ">>" || t.text == "((" || t.text == "))") {
          cmd_at_top = false;  // redirections and arithmetic: not an assignment
          continue;
        }
        const bool joins = t.text == "&&" || t.text == "||" || t.text == "|" || t.text == "&";
        finish(joins);
        joined_before = joins;
        continue;
      }
      const bool brace = !t.quoted && (t.text == "{" || t.text == "}");
      if ((cmd.empty() || brace) && !t.quoted && blocks.Word(t.text)) {
        cmd_at_top = false;
        continue;  // the next word is in command position again ("then export A=1")
      }
      if (cmd.empty()) cmd_at_top = cmd_at_top && blocks.top();
      cmd.push_back(t);
    }
    finish(false);
    if (!heredoc.empty()) reader.SkipHeredoc(heredoc, heredoc_tabs);
  }
  if (out.size() > max_results) out.resize(max_results);
  return out;
}

std::vector<EnvAssignment> ParseEnvironmentFile(std::string_view text, std::size_t max_results) {
  std::vector<EnvAssignment> out;
  for (auto& kv : ParseKeyValueLines(text)) {
    if (out.size() >= max_results) break;
    out.push_back({std::move(kv.key), std::move(kv.value), kv.line});
  }
  return out;
}

std::vector<EnvAssignment> ParsePamEnvironment(std::string_view text, std::size_t max_results) {
  std::vector<EnvAssignment> out;
  std::size_t n = 0;
  for (std::string_view line : SplitLines(text)) {
    ++n;
    if (out.size() >= max_results) break;
    line = TrimView(line);
    if (line.empty() || line.front() == '#') continue;
    const auto words = SplitWhitespace(line);
    const std::size_t eq = words[0].find('=');
    if (words.size() == 1 && eq != std::string_view::npos) {
      const std::string_view name = words[0].substr(0, eq);
      if (IsShellName(name))
        out.push_back({std::string(name), Unquote(words[0].substr(eq + 1)), n});
      continue;
    }
    if (!IsShellName(words[0])) continue;
    std::optional<std::string> def, over;
    // Values may be quoted and contain blanks: re-scan the rest of the line for KEY= positions.
    std::string_view rest = TrimView(line.substr(words[0].size()));
    while (!rest.empty()) {
      const bool is_def = rest.starts_with("DEFAULT=");
      const bool is_over = rest.starts_with("OVERRIDE=");
      if (!is_def && !is_over) break;
      rest.remove_prefix(is_def ? 8 : 9);
      std::size_t end = 0;
      char quote = 0;
      for (; end < rest.size(); ++end) {
        if (quote == 0 && (rest[end] == '"' || rest[end] == '\'')) {
          quote = rest[end];
        } else if (quote != 0 && rest[end] == quote) {
          quote = 0;
        } else if (quote == 0 && IsBlank(rest[end])) {
          break;
        }
      }
      (is_def ? def : over) = Unquote(rest.substr(0, end));
      rest = TrimView(rest.substr(end));
    }
    if (over || def) out.push_back({std::string(words[0]), over ? *over : *def, n});
  }
  return out;
}

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool IsKnownNonSecret(const std::string& upper) {
  static constexpr std::array<std::string_view, 8> kExempt = {"PWD",
                                                              "OLDPWD",
                                                              "SSH_AUTH_SOCK",
                                                              "XAUTHORITY",
                                                              "SESSION_MANAGER",
                                                              "DESKTOP_SESSION",
                                                              "GDMSESSION",
                                                              "DBUS_SESSION_BUS_ADDRESS"};
  for (auto e : kExempt) {
    if (upper == e) return true;
  }
  return upper.starts_with("XDG_SESSION_");
}

// Masks the password of "user:password@" credentials in a value; returns true when it did.
bool MaskUserinfo(std::string* value, bool bare_allowed) {
  bool masked = false;
  std::size_t at = 0;
  while ((at = value->find('@', at)) != std::string::npos) {
    // The userinfo runs back from '@' to "://" or, for bare DSNs, to the start of the value.
    std::size_t start = at;
    while (start > 0) {
      const char c = (*value)[start - 1];
      if (c == '/' || c == '@' || c == ' ' || c == '\t' || c == ';' || c == ',' || c == '"' ||
          c == '\'' || c == '=' || c == '(') {
        break;
      }
      --start;
    }
    const bool after_scheme = start >= 3 && value->compare(start - 3, 3, "://") == 0;
    const bool bare = bare_allowed && (start == 0 || (*value)[start - 1] != '/');
    const std::size_t colon = value->find(':', start);
    if ((after_scheme || bare) && colon < at && colon + 1 < at) {
      value->replace(colon + 1, at - colon - 1, kMaskedValue);
      at = colon + 1 + kMaskedValue.size();
      masked = true;
    }
    ++at;
  }
  return masked;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  const std::string upper = Upper(name);
  if (IsKnownNonSecret(upper)) return false;
  static constexpr std::array<std::string_view, 11> kAnywhere = {
      "PASSWORD", "PASSWD", "SECRET",  "TOKEN",      "CREDENTIAL", "PRIVATE",
      "COOKIE",   "APIKEY", "API_KEY", "ACCESS_KEY", "ACCESSKEY"};
  for (auto w : kAnywhere) {
    if (upper.find(w) != std::string::npos) return true;
  }
  static constexpr std::array<std::string_view, 8> kWords = {
      "KEY", "KEYS", "PASS", "PWD", "AUTH", "AUTHORIZATION", "SESSION", "SESSIONID"};
  for (auto word : Split(upper, '_')) {
    for (auto w : kWords) {
      if (word == w) return true;
    }
  }
  return false;
}

MaskedValue MaskEnvValue(std::string_view name, std::string_view value) {
  if (value.empty()) return {std::string(), false};
  if (IsSecretName(name)) return {std::string(kMaskedValue), true};
  const std::string upper = Upper(name);
  const bool dsn_like =
      upper.find("DSN") != std::string::npos || upper.find("URL") != std::string::npos ||
      upper.find("URI") != std::string::npos || upper.find("CONN") != std::string::npos ||
      upper.find("DATABASE") != std::string::npos;
  MaskedValue out{std::string(value), false};
  out.masked = MaskUserinfo(&out.value, dsn_like);
  return out;
}

}  // namespace rampart::agent
