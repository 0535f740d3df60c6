#include "fleet_sim_ws.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <charconv>

#include "common/strings.h"

namespace rampart::fleet {
namespace {

std::string Base64(const unsigned char* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string MakeWsKey() {
  unsigned char raw[16];
  RAND_bytes(raw, sizeof(raw));
  return Base64(raw, sizeof(raw));
}

std::string WsAcceptFor(std::string_view key) {
  std::string text(key);
  text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  return Base64(md, sizeof(md));
}

std::string WsUpgradeRequest(std::string_view host_header, std::string_view path,
                             std::string_view authorization, std::string_view key) {
  std::string r;
  r.reserve(256 + authorization.size());
  r.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header);
  r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
  r.append("Sec-WebSocket-Key: ").append(key).append("\r\nAuthorization: ");
  r.append(authorization).append("\r\nUser-Agent: rampart-fleet-sim\r\n\r\n");
  return r;
}

Result<std::optional<HttpHead>> ParseHttpHead(std::string_view buf, std::size_t max_head) {
  std::size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buf.size() > max_head) {
      return InvalidArgument("HTTP response head longer than " + std::to_string(max_head) +
                             " bytes");
    }
    return std::optional<HttpHead>();
  }
  HttpHead head;
  head.head_bytes = end + 4;
  std::string_view text = buf.substr(0, end);
  std::size_t line_end = text.find("\r\n");
  std::string_view status_line = text.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    return InvalidArgument("expected an HTTP status line, got '" +
                           std::string(status_line.substr(0, 60)) + "'");
  }
  std::string_view code = status_line.substr(9, 3);
  auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), head.status);
  if (ec != std::errc() || p != code.data() + code.size()) {
    return InvalidArgument("bad HTTP status in '" + std::string(status_line) + "'");
  }
  std::string_view rest = line_end == std::string_view::npos ? "" : text.substr(line_end + 2);
  while (!rest.empty()) {
    std::size_t nl = rest.find("\r\n");
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? "" : rest.substr(nl + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "sec-websocket-accept")) {
      head.accept = std::string(value);
    } else if (EqualsIgnoreCase(name, "content-length")) {
      std::int64_t n = -1;
      auto [q, err] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (err != std::errc() || q != value.data() + value.size() || n < 0) {
        return InvalidArgument("bad Content-Length '" + std::string(value) + "'");
      }
      head.content_length = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      head.chunked = value.find("chunked") != std::string_view::npos;
    } else if (EqualsIgnoreCase(name, "connection")) {
      head.close = EqualsIgnoreCase(value, "close");
    }
  }
  return std::optional<HttpHead>(std::move(head));
}

void AppendClientFrame(std::string& out, WsOpcode opcode, std::string_view payload,
                       std::uint32_t mask) {
  out.push_back(static_cast<char>(0x80 | opcode));
  std::size_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>((n >> 8) & 0xFF));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
    }
  }
  unsigned char key[4] = {static_cast<unsigned char>(mask >> 24),
                          static_cast<unsigned char>(mask >> 16),
                          static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
  out.append(reinterpret_cast<const char*>(key), 4);
  std::size_t base = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) {
    out[base + i] = static_cast<char>(static_cast<unsigned char>(out[base + i]) ^ key[i & 3]);
  }
}

Result<std::optional<WsFrame>> ParseServerFrame(std::string_view buf, std::size_t max_payload) {
  if (buf.size() < 2) return std::optional<WsFrame>();
  auto b0 = static_cast<unsigned char>(buf[0]);
  auto b1 = static_cast<unsigned char>(buf[1]);
  if ((b0 & 0x70) != 0) return InvalidArgument("WebSocket frame with reserved bits set");
  if ((b1 & 0x80) != 0) return InvalidArgument("masked WebSocket frame from the server");
  WsFrame f;
  f.fin = (b0 & 0x80) != 0;
  unsigned op = b0 & 0x0F;
  if (op != kWsContinuation && op != kWsText && op != kWsBinary && op != kWsClose &&
      op != kWsPing && op != kWsPong) {
    return InvalidArgument("WebSocket frame with reserved opcode " + std::to_string(op));
  }
  f.opcode = static_cast<WsOpcode>(op);
  std::size_t pos = 2;
  std::uint64_t len = b1 & 0x7F;
  if (len == 126) {
    if (buf.size() < 4) return std::optional<WsFrame>();
    len = (static_cast<std::uint64_t>(static_cast<unsigned char>(buf[2])) << 8) |
          static_cast<unsigned char>(buf[3]);
    pos = 4;
  } else if (len == 127) {
    if (buf.size() < 10) return std::optional<WsFrame>();
    len = 0;
    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(buf[i]);
    pos = 10;
  }
  if (op >= 0x8 && (!f.fin || len > 125)) {
    return InvalidArgument("fragmented or oversized WebSocket control frame");
  }
  if (len > max_payload) {
    return InvalidArgument("WebSocket frame of " + std::to_string(len) + " bytes exceeds " +
                           std::to_string(max_payload));
  }
  if (buf.size() - pos < len) return std::optional<WsFrame>();
  f.payload = buf.substr(pos, static_cast<std::size_t>(len));
  f.frame_bytes = pos + static_cast<std::size_t>(len);
  return std::optional<WsFrame>(f);
}

}  // namespace rampart::fleet
