#include "fleet_sim_ws.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::fleet {
namespace {

// A server frame (unmasked) as a server would write it.
std::string ServerFrame(std::uint8_t first_byte, const std::string& payload) {
  std::string f(1, static_cast<char>(first_byte));
  std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      f.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  return f + payload;
}

TEST(FleetSimWs, AcceptKeyMatchesRfc6455Example) {
  EXPECT_EQ(WsAcceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(FleetSimWs, FreshKeysAreSixteenBytesOfBase64AndDiffer) {
  std::string a = MakeWsKey();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, MakeWsKey());
}

TEST(FleetSimWs, ParsesServerFramesOfEveryLengthEncoding) {
  for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
    std::string payload(n, 'x');
    std::string wire = ServerFrame(0x81, payload) + "tail";
    auto frame = ParseServerFrame(wire, 1 << 20);
    ASSERT_TRUE(frame.ok()) << frame.error().message();
    ASSERT_TRUE(frame->has_value()) << n;
    EXPECT_EQ((*frame)->opcode, kWsText);
    EXPECT_TRUE((*frame)->fin);
    EXPECT_EQ((*frame)->payload.size(), n);
    EXPECT_EQ((*frame)->frame_bytes, wire.size() - 4);
  }
}

TEST(FleetSimWs, IncompleteFrameAsksForMoreBytes) {
  std::string wire = ServerFrame(0x81, std::string(300, 'y'));
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3},
                          std::size_t{100}, wire.size() - 1}) {
    auto frame = ParseServerFrame(std::string_view(wire).substr(0, cut), 1 << 20);
    ASSERT_TRUE(frame.ok());
    EXPECT_FALSE(frame->has_value()) << cut;
  }
}

TEST(FleetSimWs, RejectsMaskedReservedOversizedAndFragmentedControlFrames) {
  std::string masked = ServerFrame(0x81, "hi");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  EXPECT_FALSE(ParseServerFrame(masked, 1024).ok());
  EXPECT_FALSE(ParseServerFrame(ServerFrame(0xC1, "hi"), 1024).ok());  // RSV1
  EXPECT_FALSE(ParseServerFrame(ServerFrame(0x83, "hi"), 1024).ok());  // opcode 3
  EXPECT_FALSE(ParseServerFrame(ServerFrame(0x81, std::string(2000, 'z')), 1024).ok());
  EXPECT_FALSE(ParseServerFrame(ServerFrame(0x09, "ping"), 1024).ok());  // ping without FIN
}

TEST(FleetSimWs, ClientFramesAreMaskedAndUnmaskToThePayload) {
  for (std::size_t n : {5u, 200u, 70000u}) {
    std::string payload(n, 'a');
    std::string out;
    AppendClientFrame(out, kWsText, payload, 0x01020304u);
    ASSERT_EQ(static_cast<unsigned char>(out[0]), 0x81);
    ASSERT_NE(static_cast<unsigned char>(out[1]) & 0x80, 0);
    std::size_t header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    const unsigned char key[4] = {1, 2, 3, 4};
    ASSERT_EQ(out.size(), header + 4 + n);
    std::string unmasked;
    for (std::size_t i = 0; i < n; ++i) {
      unmasked.push_back(
          static_cast<char>(static_cast<unsigned char>(out[header + 4 + i]) ^ key[i & 3]));
    }
    EXPECT_EQ(unmasked, payload);
  }
}

TEST(FleetSimWs, ParsesHttpHeadsAndTheirBodyFraming) {
  auto head = ParseHttpHead(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept:  abc= "
      "\r\n\r\nframes");
  ASSERT_TRUE(head.ok());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->status, 101);
  EXPECT_EQ((*head)->accept, "abc=");

  auto ok = ParseHttpHead("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(ok.ok() && ok->has_value());
  EXPECT_EQ((*ok)->content_length, 12);
  EXPECT_TRUE((*ok)->close);
  EXPECT_EQ((*ok)->head_bytes, 58u);

  auto chunked = ParseHttpHead("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(chunked.ok() && chunked->has_value());
  EXPECT_TRUE((*chunked)->chunked);

  auto partial = ParseHttpHead("HTTP/1.1 200 OK\r\nContent-Le");
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());

  EXPECT_FALSE(ParseHttpHead("SSH-2.0-OpenSSH\r\n\r\n").ok());
  EXPECT_FALSE(ParseHttpHead("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").ok());
  EXPECT_FALSE(ParseHttpHead(std::string(20000, 'a'), 16384).ok());
}

}  // namespace
}  // namespace rampart::fleet
