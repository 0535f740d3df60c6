#pragma once
// Pure parsers for the kernel_modules category: /proc/modules, modules.dep, the .modinfo section of
// a module's ELF file and the signature appended to it. No I/O except through the caller's ReadAt
// callback; nothing throws; arbitrary bytes in, best effort out, with every size bounded.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rampart::agent {

inline constexpr std::size_t kMaxModules = 16384;

// One line of /proc/modules:
//   "nf_tables 344064 10 nft_chain_nat,nft_compat, Live 0xffffffffc0a1b000 (OE)"
struct ProcModule {
  std::string name;
  std::int64_t size = 0;
  std::int64_t refcount = -1;  // -1 when the kernel prints "-" (CONFIG_MODULE_UNLOAD off)
  std::vector<std::string> used_by;
  std::string state;  // "Live", "Loading", "Unloading"
  std::string taint;  // the letters inside "(...)", "" when untainted
};
// Lines without a name, a numeric size and a state are skipped.
std::vector<ProcModule> ParseProcModules(std::string_view text);

// The module name a file name stands for: "kernel/net/ipv4/netfilter/nf-nat.ko.zst" -> "nf_nat"
// (the kernel treats '-' and '_' alike in module names and /proc/modules prints '_').
std::string ModuleNameFromPath(std::string_view path);

struct ModuleDep {
  std::string path;  // as written in modules.dep (relative to /lib/modules/<release>)
  std::vector<std::string> depends;  // module names
};
// /lib/modules/<release>/modules.dep ("kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko ..."), keyed
// by module name. The first line for a name wins, as in modprobe.
std::unordered_map<std::string, ModuleDep> ParseModulesDep(std::string_view text);

// Reads `len` bytes at `offset` of a file; nullopt (or fewer bytes) when it cannot.
using ReadAt = std::function<std::optional<std::string>(std::uint64_t offset, std::size_t len)>;

// The key=value strings of the ".modinfo" section of an ELF32/ELF64 (either byte order) kernel
// module, in file order ("version" -> "7.0.14 r161095", "license" -> "GPL", ...). Empty when the
// file is not an ELF or has no .modinfo. Reads only the header, the section table, the section-name
// table and .modinfo (each bounded), never the whole file.
std::vector<std::pair<std::string, std::string>> ReadElfModinfo(const ReadAt& read,
                                                                std::uint64_t file_size);
// Convenience over an in-memory file (tests, fuzzing).
std::vector<std::pair<std::string, std::string>> ParseElfModinfo(std::string_view file);

// The signature a signed module carries at its end:
//   [module][signature][struct module_signature, 12 bytes][~Module signature appended~\n]
inline constexpr std::string_view kModuleSigMagic = "~Module signature appended~\n";
inline constexpr std::size_t kModuleSigTrailer = 12 + 28;

struct ModuleSignature {
  std::string id_type;  // "PKCS#7", "X.509" or "PGP"
  std::string signer;   // PKCS#7: the common name of the signer's issuer, as modinfo prints it
  std::string key_id;   // PKCS#7: the signer's certificate serial number, upper-case hex "AB:CD:.."
  std::string hash_algo;  // "sha256", "sha512", ... ("" when not readable)
};
// Parses the end of a module file: `tail` is the last bytes of the file (any length; the whole
// signature must be inside it for signer/key to be filled). nullopt when the file carries no
// signature trailer.
std::optional<ModuleSignature> ParseModuleSignature(std::string_view tail);

}  // namespace rampart::agent
