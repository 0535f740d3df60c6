#pragma once
// Plain HTTP and WebSocket types shared by the server and the client. No Boost here: only
// src/net/*_beast.cpp include Boost.Beast/Asio, so everything else compiles fast.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace rampart::net {

// Header names are stored lower-case; lookups are case-insensitive.
class Headers {
 public:
  void Add(std::string_view name, std::string_view value);
  // The first value of `name`, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct HttpRequest {
  std::string method;                                      // "GET", "POST", ... upper-case
  std::string target;                                      // as received: path plus "?query"
  std::string path;                                        // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;
  std::string remote_addr;  // peer IP as text

  // First query value for `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;  // extra headers (Cache-Control, WWW-Authenticate, ...)
  std::string body;
};

// Splits "path?a=1&b=x%20y" into a decoded path and query pairs. Invalid percent escapes are an
// InvalidArgument naming the offending text.
Status ParseTarget(std::string_view target, HttpRequest& request);
std::string PercentDecode(std::string_view text, bool plus_is_space);
std::string PercentEncode(std::string_view text);

// One open WebSocket, as seen by the code that owns its logic. Thread-safe: Send may be called
// from any thread; messages are queued and written in order. After Close (or after the peer went
// away) Send is a no-op that returns false.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual bool Send(std::string text) = 0;
  virtual void Close() = 0;
  virtual std::string remote_addr() const = 0;
};

// Receives one WebSocket's events. Calls for one connection never overlap (they are serialised),
// and OnClose is the last call.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void OnMessage(std::string_view text) = 0;
  virtual void OnClose() = 0;
};

}  // namespace rampart::net
