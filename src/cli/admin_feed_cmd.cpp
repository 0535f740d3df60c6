#include "cli/admin_feed_cmd.h"

#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "server/service/vuln_service.h"

namespace rampart::cli {
namespace {

constexpr std::size_t kMaxWarningsPerFeed = 20;

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             SystemClock::Instance().Now().time_since_epoch())
      .count();
}

Json ImportJson(const server::FeedImport& f) {
  Json j = Json::MakeObject();
  j.Set("name", f.name);
  j.Set("records", f.records);
  j.Set("skipped", f.skipped);
  j.Set("inserted", f.inserted);
  j.Set("updated", f.updated);
  j.Set("unchanged", f.unchanged);
  j.Set("withdrawn", f.withdrawn);
  j.Set("imported_at", f.imported_at);
  j.Set("generation", f.generation);
  return j;
}

}  // namespace

Status FeedImportCommand(server::Storage& storage, const AdminArgs& args, std::FILE* out,
                         std::FILE* err) {
  Json all = Json::MakeArray();
  std::vector<std::string> failed;
  for (const std::string& path : args.paths) {
    auto report = server::ImportFeed(storage, path, Now());
    if (!report) {
      std::fprintf(err, "rampart admin feed import: %s: %s\n", path.c_str(),
                   report.error().message().c_str());
      failed.push_back(path);
      continue;
    }
    std::size_t shown = 0;
    Json errors = Json::MakeArray();
    for (const auto& e : report->errors) {
      if (shown++ < kMaxWarningsPerFeed) {
        std::fprintf(err, "rampart admin feed import: warning: %s: %s: %s (record skipped)\n",
                     e.source.c_str(), e.id.empty() ? "(no id)" : e.id.c_str(), e.reason.c_str());
      }
      errors.Push(Json::Object{{"source", e.source}, {"id", e.id}, {"reason", e.reason}});
    }
    const server::FeedImport& f = report->stored;
    if (static_cast<std::size_t>(f.skipped) > kMaxWarningsPerFeed) {
      std::fprintf(err, "rampart admin feed import: warning: %s: %lld records skipped in all\n",
                   path.c_str(), static_cast<long long>(f.skipped));
    }
    const double seconds = report->read_seconds + report->store_seconds;
    const double rate = seconds > 0 ? static_cast<double>(f.records) / seconds : 0;
    if (args.json) {
      Json j = ImportJson(f);
      j.Set("path", path);
      j.Set("read_seconds", report->read_seconds);
      j.Set("store_seconds", report->store_seconds);
      j.Set("records_per_second", rate);
      j.Set("errors", std::move(errors));
      all.Push(std::move(j));
    } else {
      std::fprintf(out,
                   "%s: %lld records (%lld new, %lld updated, %lld unchanged, %lld withdrawn), "
                   "%lld skipped; generation %lld; %.2f s (%.0f records/s)\n",
                   f.name.c_str(), static_cast<long long>(f.records),
                   static_cast<long long>(f.inserted), static_cast<long long>(f.updated),
                   static_cast<long long>(f.unchanged), static_cast<long long>(f.withdrawn),
                   static_cast<long long>(f.skipped), static_cast<long long>(f.generation), seconds,
                   rate);
    }
  }
  if (args.json) std::fprintf(out, "%s\n", all.Dump(2).c_str());
  if (failed.empty()) return Status::Ok();
  std::string names;
  for (const std::string& p : failed) names += (names.empty() ? "" : ", ") + p;
  return InvalidArgument("feed import failed for " + names + " (the other feeds were imported)");
}

Status FeedListCommand(server::Storage& storage, const AdminArgs& args, std::FILE* out) {
  RAMPART_ASSIGN_OR_RETURN(auto feeds, storage.ListFeedImports());
  if (args.json) {
    Json all = Json::MakeArray();
    for (const auto& f : feeds) all.Push(ImportJson(f));
    std::fprintf(out, "%s\n", all.Dump(2).c_str());
    return Status::Ok();
  }
  for (const auto& f : feeds) {
    std::fprintf(out, "%s\t%lld records\t%lld skipped\tgeneration %lld\n", f.name.c_str(),
                 static_cast<long long>(f.records), static_cast<long long>(f.skipped),
                 static_cast<long long>(f.generation));
  }
  return Status::Ok();
}

}  // namespace rampart::cli
