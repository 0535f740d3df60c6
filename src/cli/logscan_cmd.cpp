#include "cli/logscan_cmd.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/collectors/collector.h"
#include "agent/detectors/abnormal_login.h"
#include "agent/detectors/brute_force.h"
#include "agent/detectors/rules.h"
#include "agent/monitor/geoip.h"
#include "agent/sources/auth_log.h"
#include "agent/sources/login_records_log.h"
#include "cli/table.h"
#include "common/clock.h"
#include "common/json.h"

namespace rampart::cli {
namespace {

using agent::Alert;
using agent::LoginEvent;

// Whether any byte of the 8 in `w` is < 0x20, >= 0x80, '"' or '\\' (SWAR: eight bytes per step).
inline bool NeedsEscape8(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101u;
  constexpr std::uint64_t kHigh = 0x8080808080808080u;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  // Bytes < 0x20: subtracting 0x20 borrows into the high bit (bytes >= 0x80 are caught anyway).
  const std::uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;
  return ((w & kHigh) | control | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

// Whether s is plain printable ASCII without '"' or '\\' (nearly every log field): such a string is
// its own JSON text between quotes.
bool IsPlainJson(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    if (NeedsEscape8(w)) return false;
  }
  for (; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u >= 0x80 || s[i] == '"' || s[i] == '\\') return false;
  }
  return true;
}

// Appends s as a JSON string. Plain strings are copied in one go; anything else goes through Json,
// which escapes and replaces invalid UTF-8 so the output stays valid.
void AppendJsonString(std::string* out, std::string_view s) {
  if (!IsPlainJson(s)) {
    *out += Json(s).Dump();
    return;
  }
  out->push_back('"');
  out->append(s);
  out->push_back('"');
}

template <typename Int>
void AppendInt(std::string* out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// Consecutive log lines mostly share their second: format each second once.
class TimeText {
 public:
  const std::string& Get(std::int64_t t) {
    if (!valid_ || t != time_) {
      if (!FormatFast(t)) {
        text_ = FormatIso8601(t);
        day_valid_ = false;
      }
      time_ = t;
      valid_ = true;
    }
    return text_;
  }

 private:
  // FormatIso8601 (gmtime_r + strftime) costs more than the rest of an event's output; for years
  // 1970..9999 (four-digit %Y) the same text is computed directly. False: out of that range.
  bool FormatFast(std::int64_t t) {
    constexpr std::int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z
    if (t < 0 || t >= kYear10000) return false;
    const std::int64_t days = t / 86400;
    const auto secs = static_cast<unsigned>(t % 86400);
    if (day_valid_ && days == day_ && text_.size() == 20) {  // same date: rewrite the clock only
      Put2(&text_[11], secs / 3600);
      Put2(&text_[14], secs / 60 % 60);
      Put2(&text_[17], secs % 60);
      return true;
    }
    // civil_from_days (Howard Hinnant); days >= 0 here.
    const std::int64_t z = days + 719468;
    const std::int64_t era = z / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const auto year = static_cast<unsigned>(yoe + era * 400 + (month <= 2 ? 1 : 0));
    char buf[20];
    const auto put2 = [&buf](int at, unsigned v) {
      buf[at] = static_cast<char>('0' + v / 10);
      buf[at + 1] = static_cast<char>('0' + v % 10);
    };
    put2(0, year / 100);
    put2(2, year % 100);
    buf[4] = '-';
    put2(5, month);
    buf[7] = '-';
    put2(8, day);
    buf[10] = 'T';
    put2(11, secs / 3600);
    buf[13] = ':';
    put2(14, secs / 60 % 60);
    buf[16] = ':';
    put2(17, secs % 60);
    buf[19] = 'Z';
    text_.assign(buf, sizeof buf);
    day_ = days;
    day_valid_ = true;
    return true;
  }
  static void Put2(char* at, unsigned v) {
    at[0] = static_cast<char>('0' + v / 10);
    at[1] = static_cast<char>('0' + v % 10);
  }

  bool valid_ = false;
  std::int64_t time_ = 0;
  std::string text_;
  bool day_valid_ = false;  // text_ holds the date of day_ (days since the epoch)
  std::int64_t day_ = 0;
};

// Every event of a file starts with the same {"file":NAME,"line": text: escape the name once.
class FilePrefix {
 public:
  const std::string& Get(const agent::FileName& name) {
    // Events of one file share its name's storage: the same address is the same name (held_ keeps
    // it alive, so the address cannot be reused by another).
    if (valid_ && &name.str() == &held_.str()) return text_;
    held_ = name;
    const std::string& file = held_.str();
    if (!valid_ || file != file_) {
      file_ = file;
      text_ = "{\"file\":";
      AppendJsonString(&text_, file);
      text_ += ",\"line\":";
      valid_ = true;
    }
    return text_;
  }

 private:
  bool valid_ = false;
  agent::FileName held_;
  std::string file_;
  std::string text_;
};

void AppendEventJson(std::string* out, const LoginEvent& e, TimeText* time_text,
                     FilePrefix* file_prefix) {
  *out += file_prefix->Get(e.file);
  AppendInt(out, e.line);
  *out += ",\"time\":\"";
  *out += time_text->Get(e.time);
  *out += "\",\"service\":";
  AppendJsonString(out, e.service);
  *out += ",\"outcome\":\"";
  *out += agent::OutcomeName(e.outcome);
  *out += "\",\"kind\":";
  AppendJsonString(out, e.kind);
  *out += ",\"user\":";
  AppendJsonString(out, e.user);
  *out += ",\"source\":";
  AppendJsonString(out, e.source);
  *out += ",\"port\":";
  if (e.port > 0) {
    AppendInt(out, e.port);
  } else {
    *out += "null";
  }
  *out += ",\"host\":";
  AppendJsonString(out, e.host);
  *out += ",\"attempts\":";
  AppendInt(out, e.attempts);
  *out += e.invalid_user ? ",\"invalid_user\":true}" : ",\"invalid_user\":false}";
}

// The JSON document's buffer, written through a raw pointer and flushed to the file when the next
// piece does not fit: an event's size is bounded first, then its pieces are copied without a
// capacity check each.
class JsonOut {
 public:
  explicit JsonOut(std::FILE* out) : out_(out), buf_(new char[kSize]), cap_(kSize) {}
  // Room for n more bytes; returns where they go (then Commit the end of what was written).
  char* Reserve(std::size_t n) {
    if (n > cap_ - len_) {
      Flush();
      if (n > cap_) {
        buf_.reset(new char[n]);
        cap_ = n;
      }
    }
    return buf_.get() + len_;
  }
  void Commit(const char* end) { len_ = static_cast<std::size_t>(end - buf_.get()); }
  void Append(std::string_view s) {
    char* p = Reserve(s.size());
    std::memcpy(p, s.data(), s.size());
    Commit(p + s.size());
  }
  void Flush() {
    if (len_ > 0) std::fwrite(buf_.get(), 1, len_, out_);
    len_ = 0;
  }

 private:
  static constexpr std::size_t kSize = std::size_t{1} << 18;
  std::FILE* out_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t len_ = 0;
};

template <std::size_t N>
char* Put(char* p, const char (&text)[N]) {
  std::memcpy(p, text, N - 1);
  return p + N - 1;
}

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Bytes that a JSON string cannot hold as they are: controls, '"', '\\', and non-ASCII (which goes
// through the escaper for its UTF-8 check).
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < t.size(); ++c) t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return t;
}();

// Copies s between quotes; sets *escape when a byte of it needs escaping (the text is then wrong
// and must be discarded).
char* PutQuoted(char* p, std::string_view s, bool* escape) {
  *p++ = '"';
  bool bad = false;
  for (const char c : s) {
    *p++ = c;
    bad |= kNeedsEscape[static_cast<unsigned char>(c)];
  }
  *p++ = '"';
  *escape |= bad;
  return p;
}

template <typename Int>
char* PutInt(char* p, Int v) {
  return std::to_chars(p, p + 24, v).ptr;
}

// ",\n" ("\n" before the first event) and the event, byte for byte as AppendEventJson writes it:
// strings are copied as they are while checked, and an event with a field that needs escaping is
// written again by AppendEventJson.
void WriteEventJson(JsonOut* out, const LoginEvent& e, bool first, TimeText* time_text,
                    FilePrefix* file_prefix) {
  const std::string& prefix = file_prefix->Get(e.file);
  const std::string& time = time_text->Get(e.time);
  const std::string_view outcome = agent::OutcomeName(e.outcome);
  // The fixed text is under 200 bytes with the three numbers (at most 20 digits each).
  const std::size_t bound = 256 + prefix.size() + time.size() + outcome.size() + e.service.size() +
                            e.kind.size() + e.user.size() + e.source.size() + e.host.size();
  char* p = out->Reserve(bound);
  bool escape = false;
  p = first ? Put(p, "\n") : Put(p, ",\n");
  p = Put(p, prefix);
  p = PutInt(p, e.line);
  p = Put(p, ",\"time\":\"");
  p = Put(p, time);
  p = Put(p, "\",\"service\":");
  p = PutQuoted(p, e.service, &escape);
  p = Put(p, ",\"outcome\":\"");
  p = Put(p, outcome);
  p = Put(p, "\",\"kind\":");
  p = PutQuoted(p, e.kind, &escape);
  p = Put(p, ",\"user\":");
  p = PutQuoted(p, e.user, &escape);
  p = Put(p, ",\"source\":");
  p = PutQuoted(p, e.source, &escape);
  p = Put(p, ",\"port\":");
  p = e.port > 0 ? PutInt(p, e.port) : Put(p, "null");
  p = Put(p, ",\"host\":");
  p = PutQuoted(p, e.host, &escape);
  p = Put(p, ",\"attempts\":");
  p = PutInt(p, e.attempts);
  p = e.invalid_user ? Put(p, ",\"invalid_user\":true}") : Put(p, ",\"invalid_user\":false}");
  if (!escape) {
    out->Commit(p);
    return;
  }
  std::string text = first ? "\n" : ",\n";  // not committed: written again, escaped
  AppendEventJson(&text, e, time_text, file_prefix);
  out->Append(text);
}

// Runs the detectors on an event (binary: it comes from a wtmp/btmp/lastlog file).
using Detect = std::function<void(const LoginEvent& e, bool binary)>;

// With --json, a second thread runs the detectors and formats and writes the events, so the
// parser keeps the first to itself. Events go over in batches, in order (the detectors see them as
// the parser emitted them); at most kMaxBatches wait (the parser blocks beyond that), so memory
// stays bounded however long the log.
class JsonEventWorker {
 public:
  JsonEventWorker(JsonOut* out, Detect detect)
      : out_(out), detect_(std::move(detect)), thread_([this] { Run(); }) {
    batch_.reserve(kBatch);
  }
  JsonEventWorker(const JsonEventWorker&) = delete;
  JsonEventWorker& operator=(const JsonEventWorker&) = delete;
  ~JsonEventWorker() { Finish(); }

  void Add(LoginEvent&& e, bool binary) {
    batch_.emplace_back(std::move(e), binary);  // the event is moved once, into place
    if (batch_.size() >= kBatch) Submit();
  }
  // Detects and writes what is left and stops the thread; the detectors and the JsonOut are the
  // caller's again. Idempotent.
  void Finish() {
    if (!thread_.joinable()) return;
    if (!batch_.empty()) Submit();
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

 private:
  static constexpr std::size_t kBatch = 1024;
  static constexpr std::size_t kMaxBatches = 16;  // about 4 MB of events at most
  struct Item {
    Item(LoginEvent&& e, bool b) : event(std::move(e)), binary(b) {}
    LoginEvent event;
    bool binary;
  };

  void Submit() {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [this] { return queue_.size() < kMaxBatches; });
    queue_.push_back(std::move(batch_));
    batch_.clear();
    if (!spare_.empty()) {  // a written batch keeps its capacity
      batch_ = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    ready_.notify_one();
  }

  void Run() {
    bool first = true;
    std::vector<Item> batch;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (batch.capacity() > 0) {  // the batch just written goes back for reuse
          batch.clear();
          spare_.push_back(std::move(batch));
          batch = {};
        }
        ready_.wait(lock, [this] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      room_.notify_one();
      for (const Item& item : batch) {
        detect_(item.event, item.binary);
        WriteEventJson(out_, item.event, first, &time_text_, &file_prefix_);
        first = false;
      }
    }
  }

  JsonOut* out_;  // the worker's until Finish
  Detect detect_;
  TimeText time_text_;
  FilePrefix file_prefix_;
  std::vector<Item> batch_;  // being filled by the parsing thread
  std::mutex mu_;
  std::condition_variable ready_;  // a batch is queued, or done_
  std::condition_variable room_;   // the queue has room
  std::deque<std::vector<Item>> queue_;
  std::vector<std::vector<Item>> spare_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

constexpr std::array<agent::Field, 8> kEventColumns = {{
    {"time", agent::FieldType::kString, false, true},
    {"service", agent::FieldType::kString, false, true},
    {"outcome", agent::FieldType::kString, false, true},
    {"kind", agent::FieldType::kString, false, true},
    {"user", agent::FieldType::kString, false, true},
    {"source", agent::FieldType::kString, false, true},
    {"port", agent::FieldType::kString, true, true},
    {"at", agent::FieldType::kString, false, true},
}};

constexpr std::array<agent::Field, 9> kAlertColumns = {{
    {"level", agent::FieldType::kString, false, true},
    {"type", agent::FieldType::kString, false, true},
    {"rule", agent::FieldType::kString, false, true},
    {"source", agent::FieldType::kString, false, true},
    {"user", agent::FieldType::kString, false, true},
    {"count", agent::FieldType::kString, false, true},
    {"first_seen", agent::FieldType::kString, false, true},
    {"last_seen", agent::FieldType::kString, false, true},
    {"service", agent::FieldType::kString, false, true},
}};

Json EventRow(const LoginEvent& e) {
  Json r = Json::MakeObject();
  r.Set("time", FormatIso8601(e.time));
  r.Set("service", e.service);
  r.Set("outcome", agent::OutcomeName(e.outcome));
  r.Set("kind", e.kind);
  r.Set("user", e.user.empty() ? "-" : e.user);
  r.Set("source", e.source.empty() ? "-" : e.source);
  r.Set("port", e.port > 0 ? Json(std::to_string(e.port)) : Json());
  r.Set("at", e.line > 0 ? e.file.str() + ":" + std::to_string(e.line) : e.file.str());
  return r;
}

Json AlertRow(const Alert& a) {
  Json r = Json::MakeObject();
  r.Set("level", agent::AlertLevelName(a.level));
  r.Set("type", a.type);
  r.Set("rule", a.rule);
  r.Set("source", a.source.empty() ? "-" : a.source);
  std::string users = a.users.empty() ? a.user : a.users.front();
  if (a.users.size() > 1 || a.users_truncated) {
    users += " (+" + std::to_string(a.users.size() - 1) + (a.users_truncated ? "+" : "") + ")";
  }
  r.Set("user", users.empty() ? "-" : users);
  r.Set("count", std::to_string(a.count));
  r.Set("first_seen", FormatIso8601(a.first_seen));
  r.Set("last_seen", FormatIso8601(a.last_seen));
  r.Set("service", a.service);
  return r;
}

std::int32_t LocalUtcOffset() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local) == nullptr) return 0;
  return static_cast<std::int32_t>(local.tm_gmtoff);
}

// Output of the run: streams JSON events or collects the first table rows.
class Printer {
 public:
  Printer(const LogscanArgs& args, std::FILE* out, Detect detect)
      : args_(args), out_(out), json_(out), detect_(std::move(detect)) {
    if (args_.json) {
      json_.Append("{\"events\":[");
      worker_ = std::make_unique<JsonEventWorker>(&json_, detect_);
    }
  }
  // Runs the detectors on the event (on the worker thread with --json) and lists it.
  void Event(LoginEvent&& e, bool binary) {
    ++events_;
    if (args_.json) {
      worker_->Add(std::move(e), binary);
      return;
    }
    detect_(e, binary);
    if (rows_.size() < args_.max_events) rows_.Push(EventRow(e));
  }
  // Waits until every event went through the detectors (and was written): their alerts are final.
  void Drain() {
    if (worker_) worker_->Finish();
  }
  void Finish(const std::vector<const Alert*>& alerts) {
    Drain();
    if (args_.json) {
      json_.Append(events_ == 0 ? "],\"alerts\":[" : "\n],\"alerts\":[");
      for (std::size_t i = 0; i < alerts.size(); ++i) {
        json_.Append(i == 0 ? "\n" : ",\n");
        json_.Append(agent::AlertToJson(*alerts[i]).Dump());
      }
      json_.Append(alerts.empty() ? "]}\n" : "\n]}\n");
      json_.Flush();
      return;
    }
    std::string text = "EVENTS\n";
    text += rows_.size() == 0 ? "(no login events)\n" : RenderTable(rows_, kEventColumns, 64);
    if (events_ > rows_.size()) {
      text += "... " + std::to_string(events_ - rows_.size()) + " more events not listed (" +
              std::to_string(events_) + " in all; --max-events N lists more, --json lists all)\n";
    }
    text += "\nALERTS\n";
    if (alerts.empty()) {
      text += "(no alerts)\n";
    } else {
      Json rows = Json::MakeArray();
      for (const Alert* a : alerts) rows.Push(AlertRow(*a));
      text += RenderTable(rows, kAlertColumns, 40);
    }
    std::fputs(text.c_str(), out_);
  }

 private:
  const LogscanArgs& args_;
  std::FILE* out_;
  JsonOut json_;
  Detect detect_;
  std::unique_ptr<JsonEventWorker> worker_;  // --json: detects and writes the events into json_
  std::uint64_t events_ = 0;
  Json rows_ = Json::MakeArray();
};

// Opens every named file once before any output, so an unreadable one is reported up front.
bool CheckReadable(const std::vector<std::string>& files, std::FILE* err) {
  bool ok = true;
  for (const std::string& f : files) {
    if (f == "-") continue;
    std::ifstream in(f, std::ios::binary);
    struct stat st {};
    if (!in || stat(f.c_str(), &st) != 0) {
      std::fprintf(err, "rampart logscan: cannot read %s: %s\n", f.c_str(), std::strerror(errno));
      ok = false;
    } else if (S_ISDIR(st.st_mode)) {
      std::fprintf(err, "rampart logscan: %s is a directory (give log files)\n", f.c_str());
      ok = false;
    }
  }
  return ok;
}

agent::AuthLogOptions OptionsFor(const std::string& path, agent::LogFormat format) {
  agent::AuthLogOptions o;
  o.format = format;
  o.file = path;
  o.local_utc_offset = LocalUtcOffset();
  struct stat st {};
  if (path != "-" && stat(path.c_str(), &st) == 0) o.reference_time = st.st_mtime;
  return o;
}

}  // namespace

int RunLogscan(const LogscanArgs& args, std::FILE* out, std::FILE* err) {
  if (args.files.empty() && !args.journal) {
    std::fputs("rampart logscan: no input: give log FILEs ('-' for stdin) or --journal\n", err);
    return 2;
  }
  const agent::BinaryLog forced_binary = agent::BinaryLogByName(args.format);
  auto format = forced_binary != agent::BinaryLog::kNone
                    ? Result<agent::LogFormat>(agent::LogFormat::kAuto)
                    : agent::ParseLogFormat(args.format);
  if (!format) {
    std::fprintf(err, "rampart logscan: --format: %s\n", format.error().message().c_str());
    return 2;
  }
  agent::DetectionRules rules = agent::DefaultRules();
  if (!args.rules.empty()) {
    std::vector<agent::RuleProblem> problems;
    auto loaded = agent::LoadRulesFile(args.rules, &problems);
    if (!loaded) {
      if (problems.empty()) {
        std::fprintf(err, "rampart logscan: --rules: %s\n", loaded.error().message().c_str());
      }
      for (const auto& p : problems) {
        std::fprintf(err, "rampart logscan: %s\n", p.ToString().c_str());
      }
      return 2;
    }
    rules = std::move(loaded).value();
  }
  if (!CheckReadable(args.files, err)) return 2;
  if (!args.learn.empty() && !CheckReadable({args.learn}, err)) return 2;

  std::unique_ptr<agent::GeoIp> geoip;
  agent::AbnormalLoginOptions abnormal_options;
  if (!args.geoip_db.empty()) {
    auto opened = agent::GeoIp::Open(args.geoip_db);
    if (!opened) {
      std::fprintf(err, "rampart logscan: --geoip-db: %s\n", opened.error().message().c_str());
      return 2;
    }
    geoip = std::move(*opened);
    agent::GeoIp* g = geoip.get();
    abnormal_options.country_of = [g](std::string_view source) { return g->Country(source); };
  }
  agent::BruteForceOptions brute_options;
  brute_options.country_of = abnormal_options.country_of;
  agent::BruteForceDetector brute_force(rules, brute_options);
  agent::AbnormalLoginDetector abnormal(rules.abnormal_login, rules.whitelist, abnormal_options);
  int rc = 0;
  if (!args.learn.empty()) {
    const auto learn = [&abnormal](LoginEvent&& e) { abnormal.Learn(e); };
    const agent::BinaryLog learn_binary = agent::DetectBinaryLog(args.learn);
    const Status s =
        learn_binary != agent::BinaryLog::kNone
            ? agent::ScanBinaryLogFile(args.learn, learn_binary, learn)
            : agent::ScanAuthLogFile(args.learn, OptionsFor(args.learn, *format), learn);
    if (!s.ok()) {
      std::fprintf(err, "rampart logscan: --learn: %s\n", s.message().c_str());
      return 2;
    }
  }

  // Binary login records: by --format, else by file name (wtmp*, btmp*, lastlog*).
  auto binary_kind = [&](const std::string& path) {
    if (forced_binary != agent::BinaryLog::kNone) return forced_binary;
    if (args.format != "auto" || path == "-") return agent::BinaryLog::kNone;
    return agent::DetectBinaryLog(path);
  };
  // A failed sshd guess is both a text line and a btmp record (a login both "Accepted" and a wtmp
  // record): btmp/wtmp events count only when no text log or journal is read, else they are
  // listed but not fed to the detectors. lastlog entries (each user's last login, history) teach
  // the abnormal-login profiles.
  bool text_source = args.journal;
  for (const std::string& path : args.files) {
    if (binary_kind(path) == agent::BinaryLog::kNone) text_source = true;
  }

  // The detectors belong to the printer (its worker thread with --json) until Drain().
  const auto detect = [&](const LoginEvent& e, bool binary) {
    if (!binary) {
      brute_force.Process(e);
      abnormal.Process(e);
    } else if (e.kind == "lastlog") {
      abnormal.Seed(e);
    } else if (!text_source) {
      brute_force.Process(e);
      abnormal.Process(e);
    }
  };
  Printer printer(args, out, detect);
  const auto sink = [&](LoginEvent&& e) { printer.Event(std::move(e), false); };
  const auto binary_sink = [&](LoginEvent&& e) { printer.Event(std::move(e), true); };
  for (const std::string& path : args.files) {
    const agent::BinaryLog binary = binary_kind(path);
    const Status s = binary != agent::BinaryLog::kNone
                         ? agent::ScanBinaryLogFile(path, binary, binary_sink)
                         : agent::ScanAuthLogFile(path, OptionsFor(path, *format), sink);
    if (!s.ok()) {
      std::fprintf(err, "rampart logscan: %s\n", s.message().c_str());
      rc = 2;
    }
  }
  if (args.journal) {
    const Status s = agent::ScanJournal(args.journal_paths, sink);
    if (!s.ok()) {
      std::fprintf(err, "rampart logscan: --journal: %s\n", s.message().c_str());
      rc = 2;
    }
  }

  printer.Drain();
  std::vector<const Alert*> alerts;
  for (const Alert& a : brute_force.alerts()) alerts.push_back(&a);
  for (const Alert& a : abnormal.alerts()) alerts.push_back(&a);
  std::stable_sort(alerts.begin(), alerts.end(), [](const Alert* a, const Alert* b) {
    const int ra = agent::AlertLevelRank(a->level);
    const int rb = agent::AlertLevelRank(b->level);
    return ra != rb ? ra > rb : a->first_seen < b->first_seen;
  });
  printer.Finish(alerts);
  if (rc != 0) return rc;
  return alerts.empty() ? 0 : 1;
}

}  // namespace rampart::cli
