// Feed loading: files, directories and zips (the only file that includes libzip), dispatching each
// JSON document to the OSV or Debian tracker parser.
#include "agent/vuln/feed.h"

#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "agent/vuln/debian_tracker.h"
#include "agent/vuln/osv.h"
#include "common/files.h"
#include "common/json.h"
#include "common/logging.h"

namespace rampart::agent::vuln {
namespace {

namespace fs = std::filesystem;

// Bounds for hostile archives: each entry is read into memory whole, one at a time.
constexpr std::uint64_t kMaxZipEntryBytes = std::uint64_t{16} << 20;
constexpr std::uint64_t kMaxZipEntries = 1'000'000;
constexpr std::uint64_t kMaxZipTotalBytes = std::uint64_t{4} << 30;
// A plain .json file (the full tracker JSON is ~70 MB today).
constexpr std::size_t kMaxJsonFileBytes = std::size_t{512} << 20;

// An unparsable or empty timestamp orders before every real one.
Timestamp ModifiedOf(const Advisory& a) {
  return ParseTimestamp(a.modified).value_or(Timestamp{-1, 0});
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

class Loader {
 public:
  Loader(AdvisorySet& set, FeedLoadReport& report) : set_(set), report_(report) {}

  void Reject(std::string source, std::string id, std::string reason) {
    ++report_.skipped;
    if (report_.errors.size() < kMaxReportedErrors) {
      report_.errors.push_back({std::move(source), std::move(id), std::move(reason)});
    }
  }

  void Accept(Advisory a) {
    const bool existed = set_.Find(a.id) != nullptr;
    ++report_.records;
    if (set_.Add(std::move(a)) && existed) ++report_.replaced;
  }

  void LoadRecord(const Json& record, const std::string& source) {
    auto parsed = ParseOsvRecord(record, source);
    if (parsed.ok()) {
      Accept(std::move(*parsed));
    } else {
      Reject(source, record.GetString("id"), parsed.error().message());
    }
  }

  // Loads one JSON document. Error only when it is not JSON at all (the caller decides whether that
  // is a Status for the whole load or a report entry).
  Status LoadJsonText(std::string_view text, const std::string& source) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{') {
      auto members = SplitJsonObjectMembers(text);
      if (members.ok() && LooksLikeDebianTracker(*members)) {
        LoadTracker(*members, source);
        return Status::Ok();
      }
    }
    RAMPART_ASSIGN_OR_RETURN(Json doc, Json::Parse(text));
    const Json* batch = doc.is_array() ? &doc : doc.Find("vulns");
    if (batch == nullptr) {
      LoadRecord(doc, source);
    } else if (!batch->is_array()) {
      Reject(source, "", "vulns: expected an array");
    } else {
      for (std::size_t i = 0; i < batch->size(); ++i) {
        LoadRecord(batch->as_array()[i], source + ":vulns[" + std::to_string(i) + "]");
      }
    }
    return Status::Ok();
  }

  void LoadTracker(const std::vector<JsonMemberText>& members, const std::string& source) {
    TrackerParseResult r = ParseDebianTrackerMembers(members, source);
    for (FeedError& e : r.errors) Reject(std::move(e.source), std::move(e.id), std::move(e.reason));
    for (Advisory& a : r.advisories) Accept(std::move(a));
    report_.releases_skipped += r.releases_skipped;
  }

  Status LoadJsonFile(const std::string& path) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, kMaxJsonFileBytes));
    if (Status s = LoadJsonText(text, path); !s.ok()) return s.WithContext(path);
    return Status::Ok();
  }

  Status LoadZip(const std::string& path) {
    int err = 0;
    std::unique_ptr<zip_t, ZipCloser> zip(zip_open(path.c_str(), ZIP_RDONLY, &err));
    if (!zip) {
      zip_error_t ze;
      zip_error_init_with_code(&ze, err);
      const std::string what = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      if (err == ZIP_ER_NOENT) return NotFound(path + ": " + what);
      if (err == ZIP_ER_OPEN || err == ZIP_ER_READ) return PermissionDenied(path + ": " + what);
      return DataLoss(path + ": not a readable zip archive: " + what);
    }
    const zip_int64_t count = zip_get_num_entries(zip.get(), 0);
    if (count < 0) return DataLoss(path + ": cannot count zip entries");
    if (static_cast<std::uint64_t>(count) > kMaxZipEntries) {
      return ResourceExhausted(path + ": " + std::to_string(count) +
                               " entries exceed the limit of " + std::to_string(kMaxZipEntries));
    }
    std::uint64_t total = 0;
    std::string buffer;
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat_index(zip.get(), i, 0, &st) != 0 || st.name == nullptr) continue;
      const std::string name = st.name;
      if (!EndsWithIgnoreCase(name, ".json")) continue;
      const std::string source = path + ":" + name;
      if ((st.valid & ZIP_STAT_SIZE) != 0 && st.size > kMaxZipEntryBytes) {
        Reject(source, "",
               "entry of " + std::to_string(st.size) + " bytes exceeds the limit of " +
                   std::to_string(kMaxZipEntryBytes));
        continue;
      }
      if (Status s = ReadZipEntry(zip.get(), i, buffer); !s.ok()) {
        Reject(source, "", s.message());
        continue;
      }
      total += buffer.size();
      if (total > kMaxZipTotalBytes) {
        Reject(path, "",
               "stopped: entries exceed " + std::to_string(kMaxZipTotalBytes) +
                   " uncompressed bytes in total");
        break;
      }
      if (Status s = LoadJsonText(buffer, source); !s.ok()) {
        Reject(source, "", "not JSON: " + s.message());
      }
    }
    return Status::Ok();
  }

  Status LoadDirectory(const std::string& path) {
    std::error_code ec;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (ec) return ErrnoStatus(ec.value(), path);
    std::vector<std::string> files;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        Reject(path, "", "directory walk stopped: " + ec.message());
        break;
      }
      const std::string p = it->path().string();
      std::error_code type_ec;
      if (it->is_regular_file(type_ec) &&
          (EndsWithIgnoreCase(p, ".json") || EndsWithIgnoreCase(p, ".zip"))) {
        files.push_back(p);
      }
    }
    std::sort(files.begin(),
              files.end());  // deterministic order: ties in `modified` go to the later
    for (const std::string& f : files) {
      if (Status s = LoadFile(f); !s.ok()) Reject(f, "", s.message());
    }
    return Status::Ok();
  }

  Status LoadFile(const std::string& path) {
    return EndsWithIgnoreCase(path, ".zip") ? LoadZip(path) : LoadJsonFile(path);
  }

 private:
  static Status ReadZipEntry(zip_t* zip, zip_uint64_t index, std::string& out) {
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip, index, 0));
    if (!file) return DataLoss(std::string("cannot open entry: ") + zip_strerror(zip));
    out.clear();
    char chunk[65536];
    while (true) {
      const zip_int64_t n = zip_fread(file.get(), chunk, sizeof chunk);
      if (n < 0) return DataLoss(std::string("corrupt entry: ") + zip_file_strerror(file.get()));
      if (n == 0) break;
      // The stated size can lie (a zip bomb): bound what is actually inflated.
      if (out.size() + static_cast<std::size_t>(n) > kMaxZipEntryBytes) {
        return ResourceExhausted("entry inflates past the limit of " +
                                 std::to_string(kMaxZipEntryBytes) + " bytes");
      }
      out.append(chunk, static_cast<std::size_t>(n));
    }
    return Status::Ok();
  }

  AdvisorySet& set_;
  FeedLoadReport& report_;
};

}  // namespace

bool AdvisorySet::Add(Advisory a) {
  auto it = by_id_.find(a.id);
  if (it == by_id_.end()) {
    std::string id = a.id;
    by_id_.emplace(std::move(id), std::move(a));
    return true;
  }
  if (ModifiedOf(it->second) > ModifiedOf(a)) return false;
  it->second = std::move(a);
  return true;
}

std::vector<const Advisory*> AdvisorySet::Active() const {
  std::vector<const Advisory*> out;
  out.reserve(by_id_.size());
  for (const auto& [id, a] : by_id_) {
    if (a.withdrawn.empty()) out.push_back(&a);
  }
  return out;
}

std::vector<const Advisory*> AdvisorySet::All() const {
  std::vector<const Advisory*> out;
  out.reserve(by_id_.size());
  for (const auto& [id, a] : by_id_) out.push_back(&a);
  return out;
}

const Advisory* AdvisorySet::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

Result<FeedLoadReport> LoadFeed(const std::string& path, AdvisorySet& set) {
  FeedLoadReport report;
  Loader loader(set, report);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return ec && ec != std::errc::no_such_file_or_directory
               ? ErrnoStatus(ec.value(), path)
               : NotFound(path + ": no such file or directory");
  }
  Status s = fs::is_directory(st) ? loader.LoadDirectory(path) : loader.LoadFile(path);
  if (!s.ok()) return s;
  log::Debug("feed {}: {} records, {} skipped, {} replaced", path, report.records, report.skipped,
             report.replaced);
  return report;
}

}  // namespace rampart::agent::vuln
