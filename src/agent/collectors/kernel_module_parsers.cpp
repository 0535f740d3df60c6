#include "agent/collectors/kernel_module_parsers.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <memory>

#include "common/strings.h"

namespace rampart::agent {
namespace {

constexpr std::size_t kMaxSectionTable = 4u << 20;  // 65535 * 64 bytes fits
constexpr std::size_t kMaxShstrtab = 1u << 20;
constexpr std::size_t kMaxModinfo = 1u << 20;
constexpr std::size_t kMaxModinfoEntries = 4096;
constexpr std::size_t kMaxDepsPerModule = 1024;

std::uint64_t ReadUint(std::string_view b, std::size_t off, std::size_t width, bool little) {
  if (off > b.size() || width > b.size() - off) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const auto byte = static_cast<std::uint64_t>(static_cast<unsigned char>(b[off + i]));
    v |= little ? byte << (8 * i) : byte << (8 * (width - 1 - i));
  }
  return v;
}

struct ElfLayout {
  bool is64 = false;
  bool little = true;
};

std::string NormalizeModuleName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  return out;
}

// "Name" CN of an X509_NAME (the organisation when it has no CN); "" when neither.
std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return {};
  for (int nid : {NID_commonName, NID_organizationName}) {
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) continue;
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0 || utf8 == nullptr) continue;
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return Printable(out);
  }
  return {};
}

std::string SerialHex(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return {};
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(serial, nullptr), BN_free);
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return {};
  std::string raw(hex);
  OPENSSL_free(hex);
  if (raw.size() % 2 == 1) raw.insert(raw.begin(), '0');
  std::string out;
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    if (!out.empty()) out += ':';
    out.append(raw, i, 2);
  }
  return out;
}

void FillFromPkcs7(std::string_view der, ModuleSignature* sig) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(
      d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())), PKCS7_free);
  if (!p7 || !PKCS7_type_is_signed(p7.get())) return;
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7.get());
  if (infos == nullptr || sk_PKCS7_SIGNER_INFO_num(infos) < 1) return;
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(infos, 0);
  if (si == nullptr) return;
  if (si->issuer_and_serial != nullptr) {
    sig->signer = NameText(si->issuer_and_serial->issuer);
    sig->key_id = SerialHex(si->issuer_and_serial->serial);
  }
  X509_ALGOR* digest = nullptr;
  PKCS7_SIGNER_INFO_get0_algs(si, nullptr, &digest, nullptr);
  if (digest != nullptr && digest->algorithm != nullptr) {
    const int nid = OBJ_obj2nid(digest->algorithm);
    const char* sn = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
    if (sn != nullptr) sig->hash_algo = ToLower(sn);
  }
}

}  // namespace

std::vector<ProcModule> ParseProcModules(std::string_view text) {
  std::vector<ProcModule> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= kMaxModules) break;
    const auto f = SplitWhitespace(line);
    if (f.size() < 5) continue;
    ProcModule m;
    // A module name is a C identifier; refusing '/' and '.' keeps /sys/module/<name> inside
    // /sys/module.
    if (f[0].find('/') != std::string_view::npos || f[0].front() == '.') continue;
    m.name = std::string(f[0]);
    auto size = ParseInt<std::int64_t>(f[1]);
    if (!size || *size < 0) continue;
    m.size = *size;
    if (auto ref = ParseInt<std::int64_t>(f[2]); ref && *ref >= 0) m.refcount = *ref;
    if (f[3] != "-") {
      for (std::string_view dep : Split(f[3], ',')) {
        if (!dep.empty() && m.used_by.size() < kMaxDepsPerModule) m.used_by.emplace_back(dep);
      }
    }
    m.state = std::string(f[4]);
    if (m.state != "Live" && m.state != "Loading" && m.state != "Unloading") continue;
    const std::string_view last = f.back();
    if (f.size() >= 7 && last.size() >= 2 && last.front() == '(' && last.back() == ')') {
      m.taint = std::string(last.substr(1, last.size() - 2));
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string ModuleNameFromPath(std::string_view path) {
  const auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto ko = base.find(".ko");
  if (ko != std::string_view::npos) base = base.substr(0, ko);
  return NormalizeModuleName(base);
}

std::unordered_map<std::string, ModuleDep> ParseModulesDep(std::string_view text) {
  std::unordered_map<std::string, ModuleDep> out;
  for (std::string_view line : SplitLines(text)) {
    if (out.size() >= kMaxModules * 4) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view path = TrimView(line.substr(0, colon));
    if (path.empty() || path.find(".ko") == std::string_view::npos) continue;
    std::string name = ModuleNameFromPath(path);
    if (name.empty() || out.count(name) != 0) continue;
    ModuleDep dep;
    dep.path = std::string(path);
    for (std::string_view d : SplitWhitespace(line.substr(colon + 1))) {
      if (dep.depends.size() >= kMaxDepsPerModule) break;
      dep.depends.push_back(ModuleNameFromPath(d));
    }
    out.emplace(std::move(name), std::move(dep));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ReadElfModinfo(const ReadAt& read,
                                                                std::uint64_t file_size) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto header = read(0, 64);
  if (!header || header->size() < 52 ||
      header->compare(0, 4,
                      "\x7f"
                      "ELF") != 0)
    return out;
  ElfLayout e;
  const auto cls = static_cast<unsigned char>((*header)[4]);
  const auto data = static_cast<unsigned char>((*header)[5]);
  if ((cls != 1 && cls != 2) || (data != 1 && data != 2)) return out;
  e.is64 = cls == 2;
  e.little = data == 1;
  if (e.is64 && header->size() < 64) return out;
  const std::string_view h = *header;
  const std::uint64_t shoff =
      e.is64 ? ReadUint(h, 0x28, 8, e.little) : ReadUint(h, 0x20, 4, e.little);
  const std::uint64_t shentsize = ReadUint(h, e.is64 ? 0x3A : 0x2E, 2, e.little);
  const std::uint64_t shnum = ReadUint(h, e.is64 ? 0x3C : 0x30, 2, e.little);
  const std::uint64_t shstrndx = ReadUint(h, e.is64 ? 0x3E : 0x32, 2, e.little);
  const std::uint64_t min_entsize = e.is64 ? 64 : 40;
  if (shentsize < min_entsize || shnum == 0 || shstrndx >= shnum) return out;
  const std::uint64_t table_size = shentsize * shnum;
  if (table_size > kMaxSectionTable || shoff > file_size || table_size > file_size - shoff)
    return out;
  const auto table = read(shoff, static_cast<std::size_t>(table_size));
  if (!table || table->size() != table_size) return out;

  struct Section {
    std::uint64_t name, offset, size;
  };
  const auto section = [&](std::uint64_t i) {
    const std::size_t base = static_cast<std::size_t>(i * shentsize);
    Section s{};
    s.name = ReadUint(*table, base, 4, e.little);
    s.offset = e.is64 ? ReadUint(*table, base + 0x18, 8, e.little)
                      : ReadUint(*table, base + 0x10, 4, e.little);
    s.size = e.is64 ? ReadUint(*table, base + 0x20, 8, e.little)
                    : ReadUint(*table, base + 0x14, 4, e.little);
    return s;
  };
  const auto in_file = [&](const Section& s, std::size_t cap) {
    return s.size <= cap && s.offset <= file_size && s.size <= file_size - s.offset;
  };
  const Section strtab = section(shstrndx);
  if (!in_file(strtab, kMaxShstrtab)) return out;
  const auto names = read(strtab.offset, static_cast<std::size_t>(strtab.size));
  if (!names) return out;
  for (std::uint64_t i = 0; i < shnum; ++i) {
    const Section s = section(i);
    if (s.name >= names->size()) continue;
    const std::string_view rest = std::string_view(*names).substr(static_cast<std::size_t>(s.name));
    if (rest.substr(0, rest.find('\0')) != ".modinfo") continue;
    if (!in_file(s, kMaxModinfo)) return out;
    const auto body = read(s.offset, static_cast<std::size_t>(s.size));
    if (!body) return out;
    for (std::string_view entry : Split(*body, '\0')) {
      const auto eq = entry.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      if (out.size() >= kMaxModinfoEntries) break;
      out.emplace_back(Printable(entry.substr(0, eq)), Printable(entry.substr(eq + 1)));
    }
    return out;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseElfModinfo(std::string_view file) {
  const ReadAt read = [file](std::uint64_t offset, std::size_t len) -> std::optional<std::string> {
    if (offset > file.size()) return std::nullopt;
    return std::string(file.substr(static_cast<std::size_t>(offset), len));
  };
  return ReadElfModinfo(read, file.size());
}

std::optional<ModuleSignature> ParseModuleSignature(std::string_view tail) {
  if (tail.size() < kModuleSigTrailer || !tail.ends_with(kModuleSigMagic)) return std::nullopt;
  // struct module_signature { u8 algo, hash, id_type, signer_len, key_id_len, __pad[3]; __be32
  // sig_len; }
  const std::string_view ms = tail.substr(tail.size() - kModuleSigTrailer, 12);
  const auto u8 = [&](std::size_t i) { return static_cast<unsigned char>(ms[i]); };
  const std::uint64_t sig_len = ReadUint(ms, 8, 4, /*little=*/false);
  const std::size_t signer_len = u8(3), key_id_len = u8(4);
  ModuleSignature sig;
  static constexpr const char* kHashes[] = {"md4",    "md5",    "sha1",   "rmd160",
                                            "sha256", "sha384", "sha512", "sha224"};
  const std::size_t avail = tail.size() - kModuleSigTrailer;
  switch (u8(2)) {
    case 0:
      sig.id_type = "PGP";
      break;
    case 1: {
      // Pre-4.3 kernels: [signer name][key id][signature] before the struct.
      sig.id_type = "X.509";
      if (u8(1) < std::size(kHashes)) sig.hash_algo = kHashes[u8(1)];
      const std::uint64_t need = sig_len + signer_len + key_id_len;
      if (need > avail) return sig;
      const std::string_view block = tail.substr(avail - static_cast<std::size_t>(need));
      sig.signer = Printable(block.substr(0, signer_len));
      static constexpr char kHex[] = "0123456789ABCDEF";
      for (const char c : block.substr(signer_len, key_id_len)) {
        if (!sig.key_id.empty()) sig.key_id += ':';
        sig.key_id += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
        sig.key_id += kHex[static_cast<unsigned char>(c) & 0xF];
      }
      return sig;
    }
    case 2:
      sig.id_type = "PKCS#7";
      break;
    default:
      sig.id_type = "unknown";
      return sig;
  }
  if (sig.id_type == "PKCS#7" && sig_len > 0 && sig_len <= avail) {
    FillFromPkcs7(
        tail.substr(avail - static_cast<std::size_t>(sig_len), static_cast<std::size_t>(sig_len)),
        &sig);
  }
  return sig;
}

}  // namespace rampart::agent
