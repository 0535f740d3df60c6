#pragma once
// Pure helpers of the host collector: OS identification (os-release and the legacy release files),
// the architecture from an ELF header, and the machine type (cloud VM / VM / container / bare
// metal) from DMI strings, the CPU hypervisor flag and container markers. No I/O; nothing throws;
// arbitrary bytes in, best effort out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rampart::agent {

struct OsInfo {
  std::string id;           // "debian", "rocky", "alpine"
  std::string name;         // NAME ("Debian GNU/Linux")
  std::string version;      // VERSION_ID ("12")
  std::string pretty_name;  // PRETTY_NAME
};

// /etc/os-release (or /usr/lib/os-release): NAME, VERSION_ID, ID, PRETTY_NAME, values unquoted.
OsInfo ParseOsRelease(std::string_view text);
// /etc/redhat-release, /etc/centos-release, /etc/system-release: "Rocky Linux release 9.3 (Blue
// Onyx)" -> name "Rocky Linux", version "9.3". Empty name when the text has no " release " marker.
OsInfo ParseRedhatRelease(std::string_view text);

// The machine of an ELF file from its first bytes ("x86_64", "aarch64", "i686", "armv7l",
// "riscv64", "ppc64le", "ppc64", "s390x", "loongarch64", "mips64", "mips"). nullopt when the bytes
// are not an ELF header (needs at least 20 bytes).
std::optional<std::string> ElfMachine(std::string_view header);
// A guess from a kernel release string ("6.1.0-18-amd64" -> "x86_64", "5.14.0-362.el9.aarch64" ->
// "aarch64"); "" when the release names no architecture.
std::string ArchFromKernelRelease(std::string_view release);

// /sys/class/dmi/id/* (trimmed); all empty when the machine has no DMI (Firecracker, most ARM
// boards).
struct DmiInfo {
  std::string sys_vendor;
  std::string product_name;
  std::string product_version;
  std::string bios_vendor;
  std::string bios_version;
  std::string board_vendor;
  std::string chassis_vendor;
  std::string chassis_asset_tag;
  bool present() const;
};

struct MachineSignals {
  DmiInfo dmi;
  bool cpu_hypervisor_flag = false;  // "hypervisor" in /proc/cpuinfo flags
  std::string hypervisor_type;       // /sys/hypervisor/type ("xen"), "" when absent
  std::string container;             // container kind from DetectContainer*, "" when none
};

struct MachineClass {
  std::string machine_type;    // "CVM", "VM", "container", "BM" or "other"
  std::string virtualization;  // "kvm", "vmware", "docker", ...; "" when none or unknown
  std::string cloud_provider;  // "aws", "gcp", "azure", "alibaba", ...; "" when none
};

// Precedence: a container marker wins (a container on a cloud VM is a container); then a cloud
// provider named by DMI (CVM); then any hypervisor evidence (VM); then DMI present (BM); else
// "other".
MachineClass ClassifyMachine(const MachineSignals& signals);

// The value of container= in /proc/1/environ (NUL-separated), e.g. "podman", "lxc", "docker"; "" if
// none.
std::string DetectContainerFromEnviron(std::string_view environ);
// "docker", "kubernetes", "lxc", "podman" or "containerd" when /proc/1/cgroup places PID 1 in such
// a cgroup; "" otherwise.
std::string DetectContainerFromCgroup(std::string_view cgroup);

}  // namespace rampart::agent
