#include "agent/transport/identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "agent/transport/durable_file.h"
#include "common/files.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/wire.h"

namespace rampart::agent {
namespace {

std::string IdentityPath(const std::string& data_dir) {
  return data_dir + "/" + std::string(kIdentityFile);
}

std::string OctalMode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777U);
  return buf;
}

// A machine id is one line of printable characters; anything else is not an id.
std::optional<std::string> ReadIdFile(const std::string& path) {
  auto text = ReadLocalFile(path, 4096);
  if (!text) return std::nullopt;
  std::string id = Trim(*text);
  if (id.empty() || id.size() > 256) return std::nullopt;
  for (char c : id) {
    if (c <= ' ' || c > '~') return std::nullopt;
  }
  // A cloned image without a reset machine-id has the all-zero uuid as product_uuid on some VMs.
  if (id.find_first_not_of("0-") == std::string::npos) return std::nullopt;
  return id;
}

}  // namespace

Status EnsureDataDir(const std::string& data_dir) { return MakeDirs(data_dir, 0700); }

Result<Identity> LoadIdentity(const std::string& data_dir) {
  const std::string path = IdentityPath(data_dir);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(path + ": not enrolled yet");
    return ErrnoStatus(errno, path);
  }
  if ((st.st_mode & 077U) != 0) {
    return PermissionDenied(path + " has mode " + OctalMode(st.st_mode) +
                            ": it holds the agent's secret and must not be accessible to group or "
                            "others; run 'chmod 600 " +
                            path + "' or re-enrol");
  }
  RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(path, 1 << 20));
  auto doc = Json::Parse(text);
  if (!doc || !doc->is_object()) {
    return DataLoss(path + ": not a JSON object" +
                    (doc ? std::string() : " (" + doc.error().message() + ")"));
  }
  Identity id;
  struct Field {
    std::string_view name;
    std::string* out;
    bool required;
  };
  const Field fields[] = {
      {"server_url", &id.server_url, true},    {"host_id", &id.host_id, true},
      {"tenant_id", &id.tenant_id, true},      {"secret", &id.secret, true},
      {"cert_sha256", &id.cert_sha256, false}, {"enrolled_at", &id.enrolled_at, false}};
  for (const auto& f : fields) {
    const Json* v = doc->Find(f.name);
    if (v != nullptr && v->is_string()) {
      *f.out = v->as_string();
    } else if (f.required || (v != nullptr && !v->is_null())) {
      return DataLoss(path + ": field \"" + std::string(f.name) + "\" is missing or not a string");
    }
    if (f.required && f.out->empty()) {
      return DataLoss(path + ": field \"" + std::string(f.name) + "\" is empty");
    }
  }
  return id;
}

Status SaveIdentity(const std::string& data_dir, const Identity& identity) {
  RAMPART_RETURN_IF_ERROR(EnsureDataDir(data_dir));
  Json doc = Json::MakeObject();
  doc.Set("server_url", identity.server_url);
  doc.Set("host_id", identity.host_id);
  doc.Set("tenant_id", identity.tenant_id);
  doc.Set("secret", identity.secret);
  doc.Set("cert_sha256", identity.cert_sha256);
  doc.Set("enrolled_at", identity.enrolled_at);
  return WriteFileDurable(IdentityPath(data_dir), doc.Dump(2) + "\n", 0600);
}

Status DeleteIdentity(const std::string& data_dir) {
  const std::string path = IdentityPath(data_dir);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, path);
  return SyncDirectory(data_dir);
}

Result<std::string> MachineId(const std::string& data_dir, const std::string& root) {
  for (const char* path :
       {"/etc/machine-id", "/var/lib/dbus/machine-id", "/sys/class/dmi/id/product_uuid"}) {
    if (auto id = ReadIdFile(root + path)) return *id;
  }
  const std::string own = data_dir + "/machine-id";
  if (auto id = ReadIdFile(own)) return *id;
  RAMPART_RETURN_IF_ERROR(EnsureDataDir(data_dir));
  std::string id = wire::RandomId("m");
  RAMPART_RETURN_IF_ERROR(WriteFileDurable(own, id + "\n", 0600));
  return id;
}

}  // namespace rampart::agent
