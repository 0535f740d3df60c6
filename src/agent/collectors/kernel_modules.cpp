#include "agent/collectors/kernel_modules.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>

#include "agent/collectors/host.h"
#include "agent/collectors/kernel_module_parsers.h"
#include "agent/collectors/registry.h"
#include "common/logging.h"
#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kProcModulesMax = 16u << 20;
constexpr std::size_t kModulesDepMax = 32u << 20;
constexpr std::size_t kSignatureTail = 64u << 10;  // PKCS#7 signatures are ~0.5-2 KiB

constexpr Field kModuleSchema[] = {
    {"name", FieldType::kString, false, true},    {"size", FieldType::kInt, false, true},
    {"refcount", FieldType::kInt, false, true},   {"used_by", FieldType::kStringArray, false, true},
    {"state", FieldType::kString, false, true},   {"path", FieldType::kString},
    {"version", FieldType::kString, false, true}, {"srcversion", FieldType::kString},
    {"signer", FieldType::kString, false, true},  {"sig_key", FieldType::kString},
    {"sig_hashalgo", FieldType::kString},         {"taint", FieldType::kString, false, true},
    {"depends", FieldType::kStringArray},         {"license", FieldType::kString},
    {"description", FieldType::kString},
};

std::string SysModuleAttr(const HostView& host, const std::string& module, std::string_view attr) {
  auto text = host.ReadFile("/sys/module/" + module + "/" + std::string(attr), 4096);
  if (!text) return {};
  return Printable(TrimView(*text));
}

bool IsCompressed(std::string_view path) {
  return path.ends_with(".xz") || path.ends_with(".zst") || path.ends_with(".gz");
}

struct KoFacts {
  std::vector<std::pair<std::string, std::string>> modinfo;
  std::optional<ModuleSignature> signature;
};

std::string Modinfo(const KoFacts& ko, std::string_view key) {
  for (const auto& [k, v] : ko.modinfo) {
    if (k == key) return v;
  }
  return {};
}

// Reads the .modinfo section and the signature trailer of an uncompressed module file with a
// handful of bounded preads; empty facts when the file is missing, compressed or not a regular
// file.
KoFacts ReadKo(const HostView& host, const std::string& path) {
  KoFacts facts;
  if (path.empty() || IsCompressed(path)) return facts;
  auto fd = host.OpenFile(path);
  if (!fd) {
    log::Debug("kernel_modules: {}: {}", path, fd.error().ToString());
    return facts;
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return facts;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const int raw_fd = fd->get();
  const ReadAt read = [raw_fd](std::uint64_t offset,
                               std::size_t len) -> std::optional<std::string> {
    std::string buf(len, '\0');
    const ssize_t n = ::pread(raw_fd, buf.data(), len, static_cast<off_t>(offset));
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  };
  facts.modinfo = ReadElfModinfo(read, size);
  const std::size_t tail_len =
      static_cast<std::size_t>(std::min<std::uint64_t>(size, kSignatureTail));
  if (auto tail = read(size - tail_len, tail_len)) facts.signature = ParseModuleSignature(*tail);
  return facts;
}

std::string ModulePath(const std::string& release, const std::string& dep_path) {
  if (dep_path.empty()) return {};
  if (dep_path.front() == '/') return dep_path;  // depmod before kmod 3 wrote absolute paths
  return "/lib/modules/" + release + "/" + dep_path;
}

}  // namespace

std::span<const Field> KernelModulesCollector::schema() const { return kModuleSchema; }

Result<Json> KernelModulesCollector::Collect(const CollectContext& ctx) {
  const HostView& host = ctx.host;
  Json rows = Json::MakeArray();
  auto text = host.ReadFile("/proc/modules", kProcModulesMax);
  if (!text) {
    log::Debug("kernel_modules: /proc/modules: {}", text.error().ToString());
    return rows;
  }
  const std::vector<ProcModule> modules = ParseProcModules(*text);
  const std::string release = ReadKernelRelease(host);
  std::unordered_map<std::string, ModuleDep> deps;
  if (!release.empty() && release.find('/') == std::string::npos) {
    auto dep_text = host.ReadFile("/lib/modules/" + release + "/modules.dep", kModulesDepMax);
    if (dep_text) {
      deps = ParseModulesDep(*dep_text);
    } else {
      log::Debug("kernel_modules: modules.dep of {}: {}", release, dep_text.error().ToString());
    }
  }
  for (const ProcModule& m : modules) {
    const auto dep = deps.find(m.name);
    const std::string path =
        dep != deps.end() ? ModulePath(release, dep->second.path) : std::string();
    const KoFacts ko = ReadKo(host, path);
    Json row = Json::MakeObject();
    row["name"] = m.name;
    row["size"] = m.size;
    row["refcount"] = m.refcount;
    row["used_by"] = Json::StringArray(m.used_by);
    row["state"] = m.state;
    row["path"] = path;
    std::string version = SysModuleAttr(host, m.name, "version");
    if (version.empty()) version = Modinfo(ko, "version");
    row["version"] = version;
    std::string srcversion = SysModuleAttr(host, m.name, "srcversion");
    if (srcversion.empty()) srcversion = Modinfo(ko, "srcversion");
    row["srcversion"] = srcversion;
    row["signer"] = ko.signature ? ko.signature->signer : std::string();
    row["sig_key"] = ko.signature ? ko.signature->key_id : std::string();
    row["sig_hashalgo"] = ko.signature ? ko.signature->hash_algo : std::string();
    std::string taint = SysModuleAttr(host, m.name, "taint");
    if (taint.empty()) taint = m.taint;
    row["taint"] = taint;
    std::vector<std::string> depends;
    if (dep != deps.end()) {
      depends = dep->second.depends;
    } else if (std::string d = Modinfo(ko, "depends"); !d.empty()) {
      for (std::string_view name : Split(d, ',')) {
        if (!name.empty()) depends.emplace_back(name);
      }
    }
    row["depends"] = Json::StringArray(depends);
    row["license"] = Modinfo(ko, "license");
    row["description"] = Modinfo(ko, "description");
    rows.Push(std::move(row));
  }
  return rows;
}

std::unique_ptr<Collector> MakeKernelModulesCollector() {
  return std::make_unique<KernelModulesCollector>();
}

}  // namespace rampart::agent
