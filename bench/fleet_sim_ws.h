#pragma once
// Client side of the WebSocket protocol (RFC 6455) as small pure functions, so the simulator's
// event loop can run it over its own non-blocking TLS connections: the upgrade request and
// response, masked client frames, unmasked server frames.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart::fleet {

enum WsOpcode : std::uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

// A fresh Sec-WebSocket-Key (16 random bytes, base64).
std::string MakeWsKey();
// The Sec-WebSocket-Accept value a server must answer for `key`.
std::string WsAcceptFor(std::string_view key);

// "GET path HTTP/1.1" upgrade request with Host, the WebSocket headers and Authorization.
std::string WsUpgradeRequest(std::string_view host_header, std::string_view path,
                             std::string_view authorization, std::string_view key);

struct HttpHead {
  int status = 0;
  std::size_t head_bytes = 0;  // up to and including the blank line
  std::string accept;          // Sec-WebSocket-Accept, "" when absent
  std::int64_t content_length = -1;
  bool chunked = false;
  bool close = false;  // "Connection: close"
};
// Parses an HTTP/1.1 response head at the start of `buf`. nullopt while the blank line has not
// arrived; InvalidArgument when it is not HTTP or longer than max_head bytes.
Result<std::optional<HttpHead>> ParseHttpHead(std::string_view buf, std::size_t max_head = 16384);

// Appends one final, masked client frame.
void AppendClientFrame(std::string& out, WsOpcode opcode, std::string_view payload,
                       std::uint32_t mask);

struct WsFrame {
  WsOpcode opcode = kWsText;
  bool fin = true;
  std::string_view payload;  // points into the parsed buffer
  std::size_t frame_bytes = 0;
};
// Parses one server frame at the start of `buf`. nullopt while incomplete; InvalidArgument for a
// masked frame, reserved bits or opcodes, a fragmented control frame, or a payload above
// max_payload.
Result<std::optional<WsFrame>> ParseServerFrame(std::string_view buf, std::size_t max_payload);

}  // namespace rampart::fleet
