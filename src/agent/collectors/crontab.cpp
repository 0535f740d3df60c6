#include "agent/collectors/crontab.h"

#include <array>
#include <cctype>

#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxAtCommand = 64 * 1024;

struct FieldRange {
  int min;
  int max;
};
constexpr std::array<FieldRange, 5> kRanges = {{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}};
constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// A value of a time field: a number in range or, for month and day of week, a name.
bool ValidValue(std::string_view v, int field) {
  if (auto n = ParseInt<int>(v))
    return *n >= kRanges[static_cast<std::size_t>(field)].min &&
           *n <= kRanges[static_cast<std::size_t>(field)].max;
  if (v.size() != 3 || (field != 3 && field != 4)) return false;
  const std::string lower = ToLower(v);
  if (field == 3) {
    for (const auto m : kMonths) {
      if (lower == m) return true;
    }
    return false;
  }
  for (const auto d : kDays) {
    if (lower == d) return true;
  }
  return false;
}

// Splits off the next blank-separated word of `rest`; returns "" at the end.
std::string_view NextWord(std::string_view* rest) {
  std::size_t i = 0;
  while (i < rest->size() && IsBlank((*rest)[i])) ++i;
  std::size_t j = i;
  while (j < rest->size() && !IsBlank((*rest)[j])) ++j;
  const std::string_view word = rest->substr(i, j - i);
  rest->remove_prefix(j);
  return word;
}

// Splits a cron command at its first unescaped '%' (cron feeds the rest to the command's stdin).
void SplitPercent(std::string_view cmd, std::string* command, std::string* stdin_text) {
  std::string* target = command;
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    const char c = cmd[i];
    if (c == '\\' && i + 1 < cmd.size() && cmd[i + 1] == '%') {
      target->push_back('%');
      ++i;
    } else if (c == '%') {
      if (target == command) {
        target = stdin_text;
      } else {
        target->push_back('\n');
      }
    } else {
      target->push_back(c);
    }
  }
}

}  // namespace

bool ValidCronField(std::string_view text, int field) {
  if (text.empty() || field < 0 || field > 4) return false;
  for (const std::string_view item : Split(text, ',')) {
    std::string_view base = item;
    if (const std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      const auto step = ParseInt<int>(item.substr(slash + 1));
      if (!step || *step <= 0 || *step > kRanges[static_cast<std::size_t>(field)].max + 1) {
        return false;
      }
    }
    if (base == "*") continue;
    const std::size_t dash = base.find('-');
    if (dash == std::string_view::npos) {
      if (!ValidValue(base, field)) return false;
    } else if (!ValidValue(base.substr(0, dash), field) ||
               !ValidValue(base.substr(dash + 1), field)) {
      return false;
    }
  }
  return true;
}

bool ValidCronSpecial(std::string_view word) {
  static constexpr std::array<std::string_view, 8> kSpecials = {
      "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};
  for (const auto s : kSpecials) {
    if (word == s) return true;
  }
  return false;
}

bool IsCronEnvLine(std::string_view line) {
  line = TrimView(line);
  std::size_t i = 0;
  while (i < line.size() && line[i] != '=' && !IsBlank(line[i])) ++i;
  if (i == 0) return false;
  while (i < line.size() && IsBlank(line[i])) ++i;
  return i < line.size() && line[i] == '=';
}

std::optional<CronEntry> ParseCronLine(std::string_view line, bool system_format) {
  if (line.size() > kMaxCronLine || line.find('\0') != std::string_view::npos) return std::nullopt;
  std::string_view rest = TrimView(line);
  if (rest.empty() || rest.front() == '#' || IsCronEnvLine(rest)) return std::nullopt;
  CronEntry e;
  if (rest.front() == '@') {
    const std::string_view special = NextWord(&rest);
    if (!ValidCronSpecial(special)) return std::nullopt;
    e.schedule = std::string(special);
  } else {
    if (!std::isdigit(static_cast<unsigned char>(rest.front())) && rest.front() != '*') {
      return std::nullopt;
    }
    for (int f = 0; f < 5; ++f) {
      const std::string_view word = NextWord(&rest);
      if (!ValidCronField(word, f)) return std::nullopt;
      if (f > 0) e.schedule.push_back(' ');
      e.schedule.append(word);
    }
  }
  if (system_format) {
    const std::string_view user = NextWord(&rest);
    if (user.empty()) return std::nullopt;
    e.user = std::string(user);
  }
  const std::string_view cmd = TrimView(rest);
  if (cmd.empty()) return std::nullopt;
  SplitPercent(cmd, &e.command, &e.stdin_text);
  e.command = Trim(e.command);
  if (e.command.empty()) return std::nullopt;
  return e;
}

std::vector<CronEntry> ParseCrontab(std::string_view text, bool system_format,
                                    std::size_t max_entries) {
  std::vector<CronEntry> out;
  std::size_t n = 0;
  for (const std::string_view line : SplitLines(text)) {
    ++n;
    if (out.size() >= max_entries) break;
    if (auto e = ParseCronLine(line, system_format)) {
      e->line = n;
      out.push_back(std::move(*e));
    }
  }
  return out;
}

std::optional<AnacronEntry> ParseAnacronLine(std::string_view line) {
  if (line.size() > kMaxCronLine || line.find('\0') != std::string_view::npos) return std::nullopt;
  std::string_view rest = TrimView(line);
  if (rest.empty() || rest.front() == '#' || IsCronEnvLine(rest)) return std::nullopt;
  AnacronEntry e;
  const std::string_view period = NextWord(&rest);
  const bool named = period == "@daily" || period == "@weekly" || period == "@monthly" ||
                     period == "@yearly" || period == "@annually";
  if (!named && !ParseInt<unsigned>(period)) return std::nullopt;
  const std::string_view delay = NextWord(&rest);
  if (!ParseInt<unsigned>(delay)) return std::nullopt;
  const std::string_view job_id = NextWord(&rest);
  if (job_id.empty() || job_id.find('/') != std::string_view::npos) return std::nullopt;
  const std::string_view command = TrimView(rest);
  if (command.empty()) return std::nullopt;
  e.period = std::string(period);
  e.delay = std::string(delay);
  e.job_id = std::string(job_id);
  e.command = std::string(command);
  return e;
}

std::vector<AnacronEntry> ParseAnacrontab(std::string_view text, std::size_t max_entries) {
  std::vector<AnacronEntry> out;
  std::size_t n = 0;
  for (const std::string_view line : SplitLines(text)) {
    ++n;
    if (out.size() >= max_entries) break;
    if (auto e = ParseAnacronLine(line)) {
      e->line = n;
      out.push_back(std::move(*e));
    }
  }
  return out;
}

std::optional<AtJobName> ParseAtJobName(std::string_view name) {
  AtJobName out;
  if (!name.empty() && name.front() == '=') {
    out.running = true;
    name.remove_prefix(1);
  }
  if (name.size() != 14 || !std::isalpha(static_cast<unsigned char>(name[0]))) return std::nullopt;
  const auto job = ParseInt<std::uint32_t>(name.substr(1, 5), 16);
  const auto minutes = ParseInt<std::int64_t>(name.substr(6, 8), 16);
  if (!job || !minutes || *minutes < 0) return std::nullopt;
  out.queue = name[0];
  out.job = *job;
  out.run_time = *minutes * 60;
  return out;
}

AtJob ParseAtJob(std::string_view script) {
  AtJob job;
  const auto lines = SplitLines(script);
  std::vector<std::string_view> body;
  std::string delimiter;
  bool in_heredoc = false;
  bool after_cd = false;
  bool in_cd_block = false;
  bool saw_markers = false;
  std::vector<std::string_view> fallback;
  for (const std::string_view raw : lines) {
    const std::string_view line = TrimView(raw);
    if (in_heredoc) {
      if (line == delimiter) {
        in_heredoc = false;
        continue;
      }
      body.push_back(raw);
      continue;
    }
    if (line.starts_with("# atrun ")) {
      for (const std::string_view kv : SplitWhitespace(line.substr(8))) {
        if (kv.starts_with("uid=")) job.uid = ParseInt<std::uint32_t>(kv.substr(4));
        if (kv.starts_with("gid=")) job.gid = ParseInt<std::uint32_t>(kv.substr(4));
      }
      continue;
    }
    if (line.starts_with("# mail ")) {
      const auto f = SplitWhitespace(line.substr(7));
      if (!f.empty()) job.mail_user = std::string(f[0]);
      continue;
    }
    if (const std::size_t marker = line.find("<< '");
        marker != std::string_view::npos &&
        line.find("marcinDELIMITER") != std::string_view::npos) {
      const std::string_view q = line.substr(marker + 4);
      delimiter = std::string(q.substr(0, q.find('\'')));
      in_heredoc = true;
      saw_markers = true;
      body.clear();
      continue;
    }
    if (line.starts_with("cd ") && line.find("|| {") != std::string_view::npos) {
      in_cd_block = true;
      saw_markers = true;
      continue;
    }
    if (in_cd_block) {
      if (line == "}") {
        in_cd_block = false;
        after_cd = true;
      }
      continue;
    }
    if (after_cd && delimiter.empty()) {
      body.push_back(raw);
    } else if (!line.starts_with("#") && !line.starts_with("umask ") &&
               line.find("; export ") == std::string_view::npos) {
      fallback.push_back(raw);
    }
  }
  // Without atd's markers, trust only something that looks like the shell script atd writes.
  const bool is_script = !lines.empty() && lines[0].starts_with("#!");
  const auto& chosen = saw_markers ? body : fallback;
  if (!saw_markers && !is_script) return job;
  for (const std::string_view raw : chosen) {
    const std::string_view cmd = TrimView(raw);
    if (cmd.empty() || cmd.find('\0') != std::string_view::npos ||
        job.command.size() + cmd.size() > kMaxAtCommand) {
      continue;
    }
    if (!job.command.empty()) job.command += "; ";
    job.command.append(cmd);
  }
  return job;
}

}  // namespace rampart::agent
