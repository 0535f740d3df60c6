// ScanJournal: reads auth-related entries from journald through sd-journal (the only file that
// includes <systemd/sd-journal.h>). Entries are matched by SYSLOG_IDENTIFIER or, for daemons that
// write to the journal without one, by _COMM; each goes through AuthLogParser::ParseJournalEntry
// with the entry's realtime timestamp.
#include <dirent.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/auth_log.h"
#include "agent/sources/journal_follow.h"

namespace rampart::agent {
namespace {

constexpr std::string_view kIdentifiers[] = {
    "sshd",   "sshd-session", "sshd-auth", "dropbear", "su",       "sudo",     "login",
    "vsftpd", "proftpd",      "pure-ftpd", "mysqld",   "mariadbd", "postgres", "postmaster"};

struct JournalCloser {
  void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

Status JournalError(int r, const std::string& what) { return ErrnoStatus(-r, what); }

// The value of FIELD in the current entry, or "" when absent.
std::string_view Field(sd_journal* j, const char* field) {
  const void* data = nullptr;
  std::size_t len = 0;
  if (sd_journal_get_data(j, field, &data, &len) < 0) return {};
  std::string_view v(static_cast<const char*>(data), len);
  const std::size_t eq = v.find('=');
  return eq == std::string_view::npos ? std::string_view{} : v.substr(eq + 1);
}

Status AddMatches(sd_journal* j) {
  for (const char* field : {"SYSLOG_IDENTIFIER=", "_COMM="}) {
    for (auto id : kIdentifiers) {
      const std::string match = std::string(field) + std::string(id);
      const int r = sd_journal_add_match(j, match.data(), match.size());
      if (r < 0) return JournalError(r, "journal: adding match " + match);
    }
    const int r = sd_journal_add_disjunction(j);
    if (r < 0) return JournalError(r, "journal: adding disjunction");
  }
  return Status::Ok();
}

// Feeds the current entry to the parser. False when it is not a usable entry.
bool ParseCurrent(sd_journal* j, AuthLogParser* parser, std::vector<LoginEvent>* events) {
  // A view from sd_journal_get_data lasts only until the next call: copy each at once.
  std::string identifier(Field(j, "SYSLOG_IDENTIFIER"));
  if (identifier.empty()) identifier = std::string(Field(j, "_COMM"));
  const std::string text(Field(j, "MESSAGE"));
  if (identifier.empty() || text.empty()) return false;
  std::string_view pid_text = Field(j, "_PID");
  if (pid_text.empty()) pid_text = Field(j, "SYSLOG_PID");
  std::int64_t pid = -1;
  if (!pid_text.empty()) {
    pid = 0;
    for (char c : pid_text) {
      if (c < '0' || c > '9' || pid > (std::int64_t{1} << 40)) {
        pid = -1;
        break;
      }
      pid = pid * 10 + (c - '0');
    }
  }
  const std::string hostname(Field(j, "_HOSTNAME"));
  std::uint64_t usec = 0;
  if (sd_journal_get_realtime_usec(j, &usec) < 0) return false;
  parser->ParseJournalEntry(identifier, text, pid, hostname, static_cast<std::int64_t>(usec),
                            events);
  return true;
}

Status ReadAll(sd_journal* j, const std::string& what,
               const std::function<void(LoginEvent&&)>& fn) {
  RAMPART_RETURN_IF_ERROR(AddMatches(j));
  AuthLogOptions options;
  options.file = "journal";
  AuthLogParser parser(std::move(options));
  std::vector<LoginEvent> events;
  int r = 0;
  while ((r = sd_journal_next(j)) > 0) {
    if (!ParseCurrent(j, &parser, &events)) continue;
    for (auto& e : events) fn(std::move(e));
    events.clear();
  }
  if (r < 0) return JournalError(r, what + ": reading entries");
  parser.Flush(&events);
  for (auto& e : events) fn(std::move(e));
  return Status::Ok();
}

}  // namespace

Status ScanJournal(const std::vector<std::string>& paths,
                   const std::function<void(LoginEvent&&)>& fn) {
  if (paths.empty()) {
    sd_journal* raw = nullptr;
    const int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY);
    if (r < 0) return JournalError(r, "journal: opening the local journal");
    JournalPtr j(raw);
    return ReadAll(j.get(), "journal", fn);
  }
  std::vector<const char*> files;
  for (const auto& p : paths) {
    struct stat st {};
    if (stat(p.c_str(), &st) != 0) return ErrnoStatus(errno, p);
    if (S_ISDIR(st.st_mode)) {
      sd_journal* raw = nullptr;
      const int r = sd_journal_open_directory(&raw, p.c_str(), 0);
      if (r < 0) return JournalError(r, p + ": opening journal directory");
      JournalPtr j(raw);
      RAMPART_RETURN_IF_ERROR(ReadAll(j.get(), p, fn));
    } else {
      files.push_back(p.c_str());
    }
  }
  if (files.empty()) return Status::Ok();
  files.push_back(nullptr);
  sd_journal* raw = nullptr;
  const int r = sd_journal_open_files(&raw, files.data(), 0);
  if (r < 0) return JournalError(r, std::string(files[0]) + ": opening journal file");
  JournalPtr j(raw);
  return ReadAll(j.get(), files[0], fn);
}

}  // namespace rampart::agent

namespace rampart::agent {

struct JournalFollower::Impl {
  JournalPtr j;
  AuthLogParser parser{[] {
    AuthLogOptions o;
    o.file = "journal";
    return o;
  }()};
};

JournalFollower::JournalFollower(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JournalFollower::~JournalFollower() = default;

Result<std::unique_ptr<JournalFollower>> JournalFollower::Open(const std::string& directory,
                                                               const std::string& cursor,
                                                               bool from_start) {
  sd_journal* raw = nullptr;
  const int r = directory.empty() ? sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY)
                                  : sd_journal_open_directory(&raw, directory.c_str(), 0);
  if (r < 0) {
    return JournalError(r, directory.empty() ? std::string("journal: opening the local journal")
                                             : directory + ": opening journal directory");
  }
  auto impl = std::make_unique<Impl>();
  impl->j.reset(raw);
  sd_journal* j = raw;
  RAMPART_RETURN_IF_ERROR(AddMatches(j));
  // Sets up inotify on the journal directories: sd_journal_process() then adds files created
  // later (journald's rotation) to the view.
  if (const int fd = sd_journal_get_fd(j); fd < 0) {
    return JournalError(fd, "journal: watching for new journal files");
  }
  std::unique_ptr<JournalFollower> f(new JournalFollower(std::move(impl)));
  if (!cursor.empty() && sd_journal_seek_cursor(j, cursor.c_str()) >= 0) {
    // Seeking positions next to the entry; step onto it and skip it when it is the one we read.
    if (sd_journal_next(j) > 0 && sd_journal_test_cursor(j, cursor.c_str()) <= 0) {
      sd_journal_previous(j);
    }
    f->cursor_ = cursor;
  } else if (from_start) {
    sd_journal_seek_head(j);
  } else {
    sd_journal_seek_tail(j);
    sd_journal_previous(j);  // onto the last entry: the next one read is new
  }
  return f;
}

Result<std::size_t> JournalFollower::Poll(const std::function<void(LoginEvent&&)>& fn,
                                          std::size_t max_entries) {
  sd_journal* j = impl_->j.get();
  sd_journal_process(j);  // picks up rotated and new journal files
  std::vector<LoginEvent> events;
  std::size_t n = 0;
  int r = 0;
  while (n < max_entries && (r = sd_journal_next(j)) > 0) {
    ++n;
    ParseCurrent(j, &impl_->parser, &events);
    for (auto& e : events) fn(std::move(e));
    events.clear();
    char* c = nullptr;
    if (sd_journal_get_cursor(j, &c) >= 0 && c != nullptr) {
      cursor_ = c;
      free(c);
    }
  }
  if (r < 0) return JournalError(r, "journal: reading entries");
  return n;
}

bool JournalFollower::SystemJournalExists() {
  for (const char* dir : {"/run/log/journal", "/var/log/journal"}) {
    DIR* d = opendir(dir);
    if (d == nullptr) continue;
    bool any = false;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') any = true;
    }
    closedir(d);
    if (any) return true;
  }
  return false;
}

}  // namespace rampart::agent
