#include "agent/scan/yara_rules.h"

#include <unistd.h>
#include <yara.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "common/files.h"
#include "common/hash.h"
#include "common/logging.h"

namespace rampart::agent::scan {
namespace {

constexpr std::size_t kMaxRuleFileBytes = std::size_t{16} << 20;

void InitYara() {
  static std::once_flag once;
  // libyara's global state lives for the process; yr_finalize is never called, so scanners that
  // outlive main's locals stay valid.
  std::call_once(once, [] {
    if (yr_initialize() != ERROR_SUCCESS) log::Error("libyara: initialisation failed");
  });
}

struct CompilerCallbackState {
  const std::string* file = nullptr;
  std::vector<RuleDiagnostic>* out = nullptr;
  int errors = 0;
};

void OnCompilerMessage(int level, const char* /*file_name*/, int line, const YR_RULE* /*rule*/,
                       const char* message, void* user_data) {
  auto* st = static_cast<CompilerCallbackState*>(user_data);
  const bool is_error = level == YARA_ERROR_LEVEL_ERROR;
  if (is_error) ++st->errors;
  if (st->out != nullptr) {
    st->out->push_back(RuleDiagnostic{*st->file, line, message ? message : "", is_error});
  }
}

using CompilerPtr = std::unique_ptr<YR_COMPILER, decltype(&yr_compiler_destroy)>;

Result<CompilerPtr> NewCompiler() {
  YR_COMPILER* c = nullptr;
  if (yr_compiler_create(&c) != ERROR_SUCCESS) return Internal("libyara: cannot create a compiler");
  return CompilerPtr(c, &yr_compiler_destroy);
}

// The namespace of a file: its name, so equal rule names in two files do not collide.
std::string NamespaceOf(const RuleSource& src) {
  return std::filesystem::path(src.name).filename().string();
}

// Compiles one source alone; true when it has no error. Diagnostics appended to *out.
bool ValidateOne(const RuleSource& src, std::vector<RuleDiagnostic>* out) {
  auto compiler = NewCompiler();
  if (!compiler.ok()) return false;
  CompilerCallbackState st{&src.name, out, 0};
  yr_compiler_set_callback(compiler->get(), &OnCompilerMessage, &st);
  const std::string ns = NamespaceOf(src);
  yr_compiler_add_string(compiler->get(), src.text.c_str(), ns.c_str());
  return st.errors == 0;
}

std::string ContentHash(const std::vector<RuleSource>& sources) {
  std::string all = YaraVersion();
  for (const RuleSource& s : sources) {
    all += '\0';
    all += s.name;
    all += '\0';
    all += std::to_string(s.text.size());
    all += '\0';
    all += s.text;
  }
  return Sha256Hex(all);
}

}  // namespace

std::string RuleDiagnostic::ToString() const {
  return file + ":" + std::to_string(line) + ": " + (is_error ? "error: " : "warning: ") + message;
}

std::string YaraVersion() { return std::string("libyara ") + YR_VERSION; }

Result<std::vector<RuleSource>> ReadRuleSources(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status top = fs::status(path, ec);
  if (ec) return ErrnoStatus(ec.value(), path);
  std::vector<std::string> files;
  if (fs::is_directory(top)) {
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (ec) return ErrnoStatus(ec.value(), path);
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return ErrnoStatus(ec.value(), path);
      const fs::path& p = it->path();
      const std::string ext = p.extension().string();
      if ((ext == ".yar" || ext == ".yara") && it->is_regular_file(ec) && !it->is_symlink(ec)) {
        files.push_back(p.string());
      }
    }
    if (files.empty()) return InvalidArgument(path + ": no .yar or .yara rule file in it");
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  std::vector<RuleSource> out;
  for (const std::string& f : files) {
    RAMPART_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(f, kMaxRuleFileBytes));
    out.push_back(RuleSource{f, std::move(text)});
  }
  return out;
}

// ---- RuleSet ----

struct RuleSet::Impl {
  YR_RULES* rules = nullptr;
  // rules_table index -> index into RuleSet::rules_, or UINT32_MAX for private rules.
  std::vector<std::uint32_t> public_index;
  ~Impl() {
    if (rules != nullptr) yr_rules_destroy(rules);
  }
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;

Result<std::unique_ptr<RuleSet>> RuleSet::Compile(const std::vector<RuleSource>& sources,
                                                  const std::string& cache_dir,
                                                  std::vector<RuleDiagnostic>* diagnostics) {
  InitYara();
  std::unique_ptr<RuleSet> set(new RuleSet());
  set->content_hash_ = ContentHash(sources);
  const std::string cache_path =
      cache_dir.empty() ? std::string() : cache_dir + "/rules-" + set->content_hash_ + ".yarc";

  if (!cache_path.empty() && ::access(cache_path.c_str(), R_OK) == 0) {
    if (yr_rules_load(cache_path.c_str(), &set->impl_->rules) == ERROR_SUCCESS) {
      set->from_cache_ = true;
    } else {
      log::Warn("compiled rules cache {} is unreadable; recompiling", cache_path);
      set->impl_->rules = nullptr;
    }
  }

  if (set->impl_->rules == nullptr) {
    std::vector<const RuleSource*> good;
    for (const RuleSource& src : sources) {
      if (ValidateOne(src, diagnostics)) good.push_back(&src);
    }
    if (good.empty()) return InvalidArgument("no rule file compiled");
    RAMPART_ASSIGN_OR_RETURN(CompilerPtr compiler, NewCompiler());
    CompilerCallbackState st{nullptr, nullptr, 0};
    yr_compiler_set_callback(compiler.get(), &OnCompilerMessage, &st);
    for (const RuleSource* src : good) {
      const std::string ns = NamespaceOf(*src);
      st.file = &src->name;
      if (yr_compiler_add_string(compiler.get(), src->text.c_str(), ns.c_str()) != 0) {
        // Each file compiled alone; together they can still clash (e.g. two files with one name).
        return InvalidArgument(src->name + ": does not compile together with the other rules");
      }
    }
    if (yr_compiler_get_rules(compiler.get(), &set->impl_->rules) != ERROR_SUCCESS) {
      return Internal("libyara: cannot build the rules (out of memory?)");
    }
    const bool clean = good.size() == sources.size();
    // Only a fully clean set is cached, so a cached load never hides a file's error.
    if (clean && !cache_path.empty() && MakeDirs(cache_dir).ok()) {
      const std::string tmp = cache_path + ".tmp." + std::to_string(::getpid());
      if (yr_rules_save(set->impl_->rules, tmp.c_str()) == ERROR_SUCCESS &&
          std::rename(tmp.c_str(), cache_path.c_str()) == 0) {
        log::Debug("compiled rules saved to {}", cache_path);
      } else {
        std::remove(tmp.c_str());
        log::Debug("could not save compiled rules to {}", cache_path);
      }
    }
  }

  YR_RULE* rule = nullptr;
  yr_rules_foreach(set->impl_->rules, rule) {
    if (RULE_IS_PRIVATE(rule)) {
      set->impl_->public_index.push_back(UINT32_MAX);
      continue;
    }
    set->impl_->public_index.push_back(static_cast<std::uint32_t>(set->rules_.size()));
    RuleInfo info;
    info.name = rule->identifier;
    info.ns = rule->ns != nullptr ? rule->ns->name : "";
    info.severity = "medium";
    YR_META* meta = nullptr;
    yr_rule_metas_foreach(rule, meta) {
      if (meta->type != META_TYPE_STRING || meta->string == nullptr) continue;
      const std::string_view id = meta->identifier;
      if (id == "description") info.description = meta->string;
      if (id == "severity") info.severity = meta->string;
      if (id == "family") info.family = meta->string;
    }
    set->rules_.push_back(std::move(info));
  }
  return set;
}

// ---- RuleScanner ----

struct RuleScanner::Impl {
  YR_SCANNER* scanner = nullptr;
  const RuleSet::Impl* set = nullptr;
  YR_RULES* rules = nullptr;
  std::vector<std::uint32_t> matches;
  ~Impl() {
    if (scanner != nullptr) yr_scanner_destroy(scanner);
  }
};

RuleScanner::RuleScanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleScanner::~RuleScanner() = default;

Result<std::unique_ptr<RuleScanner>> RuleSet::NewScanner(int timeout_seconds) const {
  auto impl = std::make_unique<RuleScanner::Impl>();
  impl->set = impl_.get();
  impl->rules = impl_->rules;
  if (yr_scanner_create(impl_->rules, &impl->scanner) != ERROR_SUCCESS) {
    return Internal("libyara: cannot create a scanner");
  }
  yr_scanner_set_timeout(impl->scanner, timeout_seconds);
  RuleScanner::Impl* raw = impl.get();
  yr_scanner_set_callback(
      impl->scanner,
      [](YR_SCAN_CONTEXT*, int message, void* data, void* user_data) -> int {
        if (message == CALLBACK_MSG_RULE_MATCHING) {
          auto* self = static_cast<RuleScanner::Impl*>(user_data);
          const auto* rule = static_cast<const YR_RULE*>(data);
          const auto table_index = static_cast<std::size_t>(rule - self->rules->rules_table);
          if (table_index < self->set->public_index.size()) {
            const std::uint32_t idx = self->set->public_index[table_index];
            if (idx != UINT32_MAX) self->matches.push_back(idx);
          }
        }
        return CALLBACK_CONTINUE;
      },
      raw);
  return std::unique_ptr<RuleScanner>(new RuleScanner(std::move(impl)));
}

Result<std::vector<std::uint32_t>> RuleScanner::Scan(const std::uint8_t* data, std::size_t size) {
  impl_->matches.clear();
  const int rc = yr_scanner_scan_mem(impl_->scanner, data, size);
  switch (rc) {
    case ERROR_SUCCESS:
      break;
    case ERROR_SCAN_TIMEOUT:
      return Status(Code::kDeadlineExceeded, "YARA scan timed out");
    case ERROR_INSUFFICIENT_MEMORY:
    case ERROR_TOO_MANY_MATCHES:
      return ResourceExhausted("YARA scan: out of memory or too many matches");
    default:
      return Internal("YARA scan failed (libyara error " + std::to_string(rc) + ")");
  }
  std::vector<std::uint32_t> out = impl_->matches;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace rampart::agent::scan
