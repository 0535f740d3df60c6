#include "agent/collectors/host_info.h"

#include "common/strings.h"

namespace rampart::agent {
namespace {

bool Has(const std::string& haystack, std::string_view needle) {
  return ContainsIgnoreCase(haystack, needle);
}

// Azure stamps every VM's chassis with this asset tag; on-premises Hyper-V guests do not have it.
constexpr std::string_view kAzureAssetTag = "7783-7084-3265-9085-8269-3286-77";

// Cloud provider from DMI strings; sets *hypervisor to the provider's hypervisor when it is known.
std::string CloudProvider(const DmiInfo& d, std::string* hypervisor) {
  const std::string vendor = d.sys_vendor + " " + d.board_vendor + " " + d.chassis_vendor;
  struct Rule {
    const std::string* field;
    std::string_view needle;
    const char* provider;
    const char* hv;
  };
  const Rule rules[] = {
      {&vendor, "Amazon EC2", "aws", "kvm"},
      {&d.product_name, "Amazon EC2", "aws", "kvm"},
      {&d.bios_vendor, "Amazon EC2", "aws", "kvm"},
      {&d.bios_version, "amazon", "aws", "xen"},  // Xen-based EC2 ("4.11.amazon")
      {&vendor, "Google", "gcp", "kvm"},
      {&d.product_name, "Google Compute Engine", "gcp", "kvm"},
      {&vendor, "Alibaba Cloud", "alibaba", "kvm"},
      {&d.product_name, "Alibaba Cloud ECS", "alibaba", "kvm"},
      {&vendor, "Aliyun", "alibaba", "kvm"},
      {&vendor, "Tencent Cloud", "tencent", "kvm"},
      {&d.chassis_asset_tag, "HUAWEICLOUD", "huawei", "kvm"},
      {&vendor, "Huawei Cloud", "huawei", "kvm"},
      {&d.chassis_asset_tag, "OracleCloud.com", "oracle", "kvm"},
      {&vendor, "DigitalOcean", "digitalocean", "kvm"},
      {&vendor, "Hetzner", "hetzner", "kvm"},
      {&vendor, "Vultr", "vultr", "kvm"},
      {&vendor, "Linode", "linode", "kvm"},
      {&vendor, "Scaleway", "scaleway", "kvm"},
      {&vendor, "UpCloud", "upcloud", "kvm"},
      {&vendor, "Exoscale", "exoscale", "kvm"},
      {&vendor, "Baidu Cloud", "baidu", "kvm"},
      {&vendor, "Volcengine", "volcengine", "kvm"},
      {&vendor, "OpenStack", "openstack", "kvm"},
      {&d.product_name, "OpenStack", "openstack", "kvm"},
  };
  for (const Rule& r : rules) {
    if (Has(*r.field, r.needle)) {
      *hypervisor = r.hv;
      return r.provider;
    }
  }
  if (Has(d.sys_vendor, "Microsoft Corporation") && Has(d.product_name, "Virtual Machine") &&
      d.chassis_asset_tag == kAzureAssetTag) {
    *hypervisor = "microsoft";
    return "azure";
  }
  return {};
}

// Hypervisor named by DMI, as systemd-detect-virt spells it; "" when DMI names none.
std::string DmiHypervisor(const DmiInfo& d) {
  const std::string all = d.sys_vendor + " " + d.product_name + " " + d.product_version + " " +
                          d.bios_vendor + " " + d.board_vendor;
  if (Has(all, "VMware")) return "vmware";
  if (Has(all, "VirtualBox") || Has(all, "innotek")) return "oracle";
  if (Has(d.sys_vendor, "Microsoft Corporation") && Has(d.product_name, "Virtual Machine")) {
    return "microsoft";
  }
  if (Has(all, "Parallels")) return "parallels";
  if (Has(all, "Xen")) return "xen";
  if (Has(all, "Bochs")) return "bochs";
  if (Has(all, "KVM") || Has(d.product_name, "Standard PC (")) return "kvm";
  if (Has(all, "QEMU")) return "qemu";
  if (Has(all, "Firecracker")) return "kvm";
  if (Has(all, "BHYVE")) return "bhyve";
  return {};
}

}  // namespace

OsInfo ParseOsRelease(std::string_view text) {
  const auto kvs = ParseKeyValueLines(text);
  OsInfo os;
  os.id = FindValue(kvs, "ID").value_or("");
  os.name = FindValue(kvs, "NAME").value_or("");
  os.version = FindValue(kvs, "VERSION_ID").value_or("");
  os.pretty_name = FindValue(kvs, "PRETTY_NAME").value_or("");
  return os;
}

OsInfo ParseRedhatRelease(std::string_view text) {
  OsInfo os;
  const auto lines = SplitLines(text);
  if (lines.empty()) return os;
  const std::string_view line = TrimView(lines[0]);
  const auto pos = line.find(" release ");
  if (pos == std::string_view::npos) return os;
  os.name = std::string(TrimView(line.substr(0, pos)));
  std::string_view rest = line.substr(pos + 9);
  auto fields = SplitWhitespace(rest);
  if (!fields.empty()) os.version = std::string(fields[0]);
  os.pretty_name = std::string(line);
  const std::string lower = ToLower(os.name);
  const auto words = SplitWhitespace(lower);
  if (lower.starts_with("red hat")) {
    os.id = "rhel";
  } else if (!words.empty()) {
    os.id = std::string(words[0]);
  }
  return os;
}

std::optional<std::string> ElfMachine(std::string_view header) {
  if (header.size() < 20 || header.substr(0, 4) !=
                                "\x7f"
                                "ELF")
    return std::nullopt;
  const auto u8 = [&](std::size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(header[i]));
  };
  const bool is64 = u8(4) == 2;
  const bool little = u8(5) == 1;
  if ((u8(4) != 1 && u8(4) != 2) || (u8(5) != 1 && u8(5) != 2)) return std::nullopt;
  const unsigned machine = little ? (u8(18) | (u8(19) << 8)) : ((u8(18) << 8) | u8(19));
  switch (machine) {
    case 3:
      return "i686";
    case 62:
      return "x86_64";
    case 183:
      return "aarch64";
    case 40:
      return "armv7l";
    case 243:
      return is64 ? "riscv64" : "riscv32";
    case 21:
      return little ? "ppc64le" : "ppc64";
    case 20:
      return "ppc";
    case 22:
      return is64 ? "s390x" : "s390";
    case 258:
      return "loongarch64";
    case 8:
      return is64 ? "mips64" : "mips";
    default:
      return std::nullopt;
  }
}

std::string ArchFromKernelRelease(std::string_view release) {
  const std::string r = ToLower(release);
  struct Hint {
    std::string_view suffix;
    const char* arch;
  };
  static constexpr Hint kHints[] = {
      {"amd64", "x86_64"},    {"x86_64", "x86_64"},   {"arm64", "aarch64"},
      {"aarch64", "aarch64"}, {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
      {"i686", "i686"},       {"686-pae", "i686"},    {"686", "i686"},
      {"riscv64", "riscv64"}, {"armmp", "armv7l"},    {"loong64", "loongarch64"},
  };
  for (const Hint& h : kHints) {
    if (r.ends_with(h.suffix)) return h.arch;
  }
  return {};
}

bool DmiInfo::present() const {
  return !sys_vendor.empty() || !product_name.empty() || !bios_vendor.empty() ||
         !board_vendor.empty() || !chassis_vendor.empty();
}

MachineClass ClassifyMachine(const MachineSignals& s) {
  MachineClass c;
  if (!s.container.empty()) {
    c.machine_type = "container";
    c.virtualization = s.container;
    std::string ignored;
    c.cloud_provider = CloudProvider(s.dmi, &ignored);
    return c;
  }
  std::string hv;
  c.cloud_provider = CloudProvider(s.dmi, &hv);
  if (!c.cloud_provider.empty()) {
    c.machine_type = "CVM";
    const std::string named = DmiHypervisor(s.dmi);
    c.virtualization = !named.empty() ? named : hv;
    // Bare-metal cloud instances ("m5.metal", "BM.Standard3.64") run on no hypervisor.
    if (Has(s.dmi.product_name, "metal") || s.dmi.product_name.starts_with("BM."))
      c.virtualization = "";
    return c;
  }
  c.virtualization = DmiHypervisor(s.dmi);
  if (c.virtualization.empty() && !s.hypervisor_type.empty()) c.virtualization = s.hypervisor_type;
  if (!c.virtualization.empty() || s.cpu_hypervisor_flag) {
    c.machine_type = "VM";
    return c;
  }
  c.machine_type = s.dmi.present() ? "BM" : "other";
  return c;
}

std::string DetectContainerFromEnviron(std::string_view environ) {
  for (std::string_view var : Split(environ, '\0')) {
    if (var.starts_with("container=")) {
      std::string v = Printable(TrimView(var.substr(10)));
      if (v.size() > 64) v.resize(64);
      return v.empty() ? std::string("container") : v;
    }
  }
  return {};
}

std::string DetectContainerFromCgroup(std::string_view cgroup) {
  for (std::string_view line : SplitLines(cgroup)) {
    // "hierarchy-ID:controllers:path"; only the path matters.
    const auto pos = line.rfind(':');
    const std::string_view path = pos == std::string_view::npos ? line : line.substr(pos + 1);
    if (path.find("kubepods") != std::string_view::npos) return "kubernetes";
    if (path.find("/docker") != std::string_view::npos) return "docker";
    if (path.find("libpod") != std::string_view::npos) return "podman";
    if (path.find("/lxc") != std::string_view::npos) return "lxc";
    if (path.find("containerd") != std::string_view::npos) return "containerd";
  }
  return {};
}

}  // namespace rampart::agent
