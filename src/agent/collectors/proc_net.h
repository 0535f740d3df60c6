#pragma once
// Pure parsers for the kernel's socket tables /proc/net/{tcp,tcp6,udp,udp6} (format:
// net/ipv4/tcp_ipv4.c get_tcp4_sock / net/ipv6/tcp_ipv6.c get_tcp6_sock / net/ipv4/udp.c
// udp4_format_sock). No I/O here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rampart::agent {

// Socket states as /proc/net prints them (include/net/tcp_states.h).
inline constexpr std::uint8_t kTcpEstablished = 0x01;
inline constexpr std::uint8_t kTcpClose = 0x07;  // an unconnected UDP socket ("UNCONN" in ss)
inline constexpr std::uint8_t kTcpListen = 0x0A;

struct NetSocket {
  int family = 4;                        // 4 or 6
  std::array<std::uint8_t, 16> local{};  // network byte order; IPv4 uses the first 4 bytes
  std::uint16_t local_port = 0;
  std::array<std::uint8_t, 16> remote{};
  std::uint16_t remote_port = 0;
  std::uint8_t state = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

// Parses one data line ("  0: 0100007F:0035 00000000:0000 0A ... uid timeout inode ..."). family (4
// or 6) fixes the address width: 8 hex digits for IPv4, 32 for IPv6. The kernel prints each 32-bit
// word of the address as the hex value of that word in *host* byte order, so the bytes are
// recovered by storing each word back in host order (correct for the live kernel on any endianness;
// fixtures are little-endian x86 text). Returns nullopt for the header, truncated lines and
// anything malformed.
std::optional<NetSocket> ParseProcNetLine(std::string_view line, int family);

// Parses a whole table; malformed lines are skipped. At most max_sockets entries are returned.
std::vector<NetSocket> ParseProcNet(std::string_view text, int family,
                                    std::size_t max_sockets = 1'000'000);

// The address the way `ss -n` prints it (inet_ntop): "0.0.0.0", "::", "::1", "::ffff:127.0.0.1".
std::string FormatSocketAddress(int family, const std::array<std::uint8_t, 16>& addr);

// True for rows `ss -tulnH` lists: listening TCP (state 0A) and unconnected UDP (state 07).
bool IsListening(const NetSocket& s, bool udp);

// The inode in a /proc/<pid>/fd link target "socket:[12345]"; nullopt for any other target.
std::optional<std::uint64_t> ParseSocketLink(std::string_view target);

}  // namespace rampart::agent
