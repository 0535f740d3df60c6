// Specification of the /proc/net/{tcp,udp}[6] parser.
#include "agent/collectors/proc_net.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

constexpr char kTcpHeader[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n";

TEST(ProcNet, ParsesListeningIpv4LineInHostByteOrder) {
  const auto s = ParseProcNetLine(
      "   4: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 "
      "23001 1 "
      "0000000000000000 100 0 0 10 0",
      4);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(FormatSocketAddress(4, s->local), "127.0.0.1");
  EXPECT_EQ(s->local_port, 6379);
  EXPECT_EQ(s->state, kTcpListen);
  EXPECT_EQ(s->uid, 101u);
  EXPECT_EQ(s->inode, 23001u);
  EXPECT_TRUE(IsListening(*s, /*udp=*/false));
}

TEST(ProcNet, FormatsIpv6AddressesLikeSs) {
  struct Case {
    const char* hex;
    const char* want;
  } cases[] = {
      {"00000000000000000000000000000000", "::"},
      {"00000000000000000000000001000000", "::1"},
      {"0000000000000000FFFF00000100007F", "::ffff:127.0.0.1"},
      {"000080FE00000000FF005450563412FE", "fe80::5054:ff:fe12:3456"},
      {"B80D0120000000000000000001000000", "2001:db8::1"},
  };
  for (const Case& c : cases) {
    const std::string line =
        std::string("   0: ") + c.hex +
        ":0050 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0";
    const auto s = ParseProcNetLine(line, 6);
    ASSERT_TRUE(s.has_value()) << c.hex;
    EXPECT_EQ(FormatSocketAddress(6, s->local), c.want) << c.hex;
    EXPECT_EQ(s->local_port, 80);
  }
}

TEST(ProcNet, SkipsHeaderTruncatedAndMalformedLines) {
  const std::string text =
      std::string(kTcpHeader) +
      "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
      "      0 21001 1 0000000000000000 100 0 0 10 0\n"
      "   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000\n"  // truncated
      "   2: 0000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5\n"
      "   3: 00000000:00500 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5\n"
      "   4: 0000000G:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5\n"
      "   5: 00000000:0050 00000000:0000 ZZ 00000000:00000000 00:00000000 00000000 0 0 5\n"
      "   6: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 5\n"
      "garbage\n\n";
  const auto sockets = ParseProcNet(text, 4);
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].local_port, 22);
  EXPECT_EQ(sockets[0].inode, 21001u);
}

TEST(ProcNet, RejectsAddressWidthOfTheOtherFamily) {
  const char* v6 =
      "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 21002 1";
  EXPECT_FALSE(ParseProcNetLine(v6, 4).has_value());
  EXPECT_TRUE(ParseProcNetLine(v6, 6).has_value());
  EXPECT_FALSE(ParseProcNetLine(v6, 5).has_value());
}

TEST(ProcNet, UdpIsListeningOnlyWhenUnconnected) {
  const auto bound = ParseProcNetLine(
      "    0: 0A01A8C0:007B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
      "27001 2 0 0",
      4);
  const auto connected = ParseProcNetLine(
      "    3: 0F02000A:D431 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 "
      "26002 2 0 0",
      4);
  ASSERT_TRUE(bound && connected);
  EXPECT_EQ(FormatSocketAddress(4, bound->local), "192.168.1.10");
  EXPECT_EQ(bound->local_port, 123);
  EXPECT_TRUE(IsListening(*bound, /*udp=*/true));
  EXPECT_FALSE(IsListening(*connected, /*udp=*/true));
  EXPECT_EQ(FormatSocketAddress(4, connected->remote), "8.8.8.8");
  EXPECT_EQ(connected->remote_port, 53);
  // A TCP socket in state 07 (CLOSE) is not listening.
  EXPECT_FALSE(IsListening(*bound, /*udp=*/false));
}

TEST(ProcNet, ParsesSocketLinksOnly) {
  EXPECT_EQ(ParseSocketLink("socket:[12345]"), 12345u);
  EXPECT_FALSE(ParseSocketLink("socket:[]").has_value());
  EXPECT_FALSE(ParseSocketLink("socket:[12a]").has_value());
  EXPECT_FALSE(ParseSocketLink("socket:[123").has_value());
  EXPECT_FALSE(ParseSocketLink("pipe:[12345]").has_value());
  EXPECT_FALSE(ParseSocketLink("/dev/null").has_value());
  EXPECT_FALSE(ParseSocketLink("").has_value());
}

TEST(ProcNet, StopsAtMaxSockets) {
  std::string text = kTcpHeader;
  for (int i = 0; i < 50; ++i) {
    text += "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 " +
            std::to_string(i + 1) + "\n";
  }
  EXPECT_EQ(ParseProcNet(text, 4, 10).size(), 10u);
  EXPECT_EQ(ParseProcNet(text, 4).size(), 50u);
}

}  // namespace
}  // namespace rampart::agent
