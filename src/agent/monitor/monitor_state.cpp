#include "agent/monitor/monitor_state.h"

#include <sys/stat.h>

#include <cerrno>

#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/json.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxEntries = 100000;

Status Bad(const std::string& where, std::string_view what) {
  return Status(Code::kDataLoss, where + ": " + std::string(what));
}

Status GetString(const Json& obj, const std::string& where, std::string_view key, std::string* out,
                 bool required = true) {
  const Json* v = obj.Find(key);
  if (v == nullptr && !required) return Status::Ok();
  if (v == nullptr || !v->is_string()) {
    return Bad(where + "." + std::string(key), "expected a string");
  }
  *out = v->as_string();
  return Status::Ok();
}

template <typename Int>
Status GetUint(const Json& obj, const std::string& where, std::string_view key, Int* out) {
  const Json* v = obj.Find(key);
  if (v == nullptr || !v->is_int() || v->as_int() < 0) {
    return Bad(where + "." + std::string(key), "expected a non-negative integer");
  }
  *out = static_cast<Int>(v->as_int());
  return Status::Ok();
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string EncodeMonitorState(const MonitorState& state) {
  Json root = Json::MakeObject();
  root.Set("version", 1);
  Json files = Json::MakeArray();
  for (const auto& f : state.files) {
    Json j = Json::MakeObject();
    j.Set("path", f.path);
    j.Set("dev", static_cast<std::int64_t>(f.dev));
    j.Set("ino", static_cast<std::int64_t>(f.ino));
    j.Set("offset", static_cast<std::int64_t>(f.offset));
    j.Set("fp", f.fingerprint);
    j.Set("fp_len", static_cast<std::int64_t>(f.fp_len));
    files.Push(std::move(j));
  }
  root.Set("files", std::move(files));
  root.Set("journal", state.journal_cursor);
  Json incidents = Json::MakeArray();
  for (const auto& r : state.incidents) {
    Json j = Json::MakeObject();
    j.Set("key", r.key);
    j.Set("id", r.id);
    j.Set("type", r.type);
    j.Set("level", r.level);
    j.Set("first_seen", r.first_seen);
    j.Set("last_seen", r.last_seen);
    j.Set("count", static_cast<std::int64_t>(r.count));
    incidents.Push(std::move(j));
  }
  root.Set("incidents", std::move(incidents));
  return root.Dump() + "\n";
}

Result<MonitorState> DecodeMonitorState(std::string_view text) {
  auto parsed = Json::Parse(text, 8);
  if (!parsed) return Status(Code::kDataLoss, parsed.error().message());
  const Json& root = *parsed;
  if (!root.is_object()) return Bad("state", "expected a JSON object");
  const Json* version = root.Find("version");
  if (version == nullptr || !version->is_int() || version->as_int() != 1) {
    return Bad("version", "expected 1");
  }
  MonitorState state;
  if (const Json* files = root.Find("files")) {
    if (!files->is_array() || files->size() > kMaxEntries) {
      return Bad("files", "expected an array of at most 100000 entries");
    }
    for (std::size_t i = 0; i < files->as_array().size(); ++i) {
      const Json& f = files->as_array()[i];
      const std::string where = "files[" + std::to_string(i) + "]";
      if (!f.is_object()) return Bad(where, "expected an object");
      FileCursor c;
      RAMPART_RETURN_IF_ERROR(GetString(f, where, "path", &c.path));
      if (c.path.empty() || c.path[0] != '/')
        return Bad(where + ".path", "expected an absolute path");
      RAMPART_RETURN_IF_ERROR(GetUint(f, where, "dev", &c.dev));
      RAMPART_RETURN_IF_ERROR(GetUint(f, where, "ino", &c.ino));
      RAMPART_RETURN_IF_ERROR(GetUint(f, where, "offset", &c.offset));
      RAMPART_RETURN_IF_ERROR(GetString(f, where, "fp", &c.fingerprint));
      std::uint64_t fp_len = 0;
      RAMPART_RETURN_IF_ERROR(GetUint(f, where, "fp_len", &fp_len));
      if (fp_len > kFingerprintBytes) return Bad(where + ".fp_len", "expected at most 256");
      c.fp_len = static_cast<std::uint32_t>(fp_len);
      if ((c.fp_len == 0) != c.fingerprint.empty() ||
          (!c.fingerprint.empty() && (c.fingerprint.size() != 64 || !IsHex(c.fingerprint)))) {
        return Bad(where + ".fp", "expected 64 hex digits (empty when fp_len is 0)");
      }
      state.files.push_back(std::move(c));
    }
  }
  RAMPART_RETURN_IF_ERROR(GetString(root, "state", "journal", &state.journal_cursor, false));
  if (const Json* incidents = root.Find("incidents")) {
    if (!incidents->is_array() || incidents->size() > kMaxEntries) {
      return Bad("incidents", "expected an array of at most 100000 entries");
    }
    for (std::size_t i = 0; i < incidents->as_array().size(); ++i) {
      const Json& j = incidents->as_array()[i];
      const std::string where = "incidents[" + std::to_string(i) + "]";
      if (!j.is_object()) return Bad(where, "expected an object");
      IncidentRecord r;
      RAMPART_RETURN_IF_ERROR(GetString(j, where, "key", &r.key));
      RAMPART_RETURN_IF_ERROR(GetString(j, where, "id", &r.id));
      if (r.id.size() < 32 || r.id.size() > 64 || !IsHex(r.id)) {
        return Bad(where + ".id", "expected 32 to 64 lower-case hex digits");
      }
      RAMPART_RETURN_IF_ERROR(GetString(j, where, "type", &r.type));
      RAMPART_RETURN_IF_ERROR(GetString(j, where, "level", &r.level));
      RAMPART_RETURN_IF_ERROR(GetUint(j, where, "first_seen", &r.first_seen));
      RAMPART_RETURN_IF_ERROR(GetUint(j, where, "last_seen", &r.last_seen));
      RAMPART_RETURN_IF_ERROR(GetUint(j, where, "count", &r.count));
      state.incidents.push_back(std::move(r));
    }
  }
  return state;
}

Result<std::optional<MonitorState>> LoadMonitorState(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<MonitorState>();
    return ErrnoStatus(errno, path);
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, std::size_t{64} << 20));
  auto state = DecodeMonitorState(text);
  if (!state) return Status(Code::kDataLoss, path + ": " + state.error().message());
  return std::optional<MonitorState>(std::move(*state));
}

Status SaveMonitorState(const std::string& path, const MonitorState& state) {
  return WriteFileDurable(path, EncodeMonitorState(state), 0600);
}

}  // namespace rampart::agent
