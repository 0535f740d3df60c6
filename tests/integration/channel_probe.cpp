// channel_probe: a scriptable agent channel for the platform's end-to-end tests. It speaks as an
// agent already enrolled in DATA_DIR (identity.json written by `rampart agent`): connects to the
// server's channel with the pinned certificate, says hello, sends each stdin line as one message
// (waiting for the ack of every batch), then waits for N command messages. Every message the server
// sends is printed on stdout, one JSON object per line.
//
// Usage: channel_probe DATA_DIR [--commands N] [--timeout-ms MS]
// Exit: 0 done, 1 timed out or the server closed the channel, 2 usage or connection error.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "agent/transport/enroll_client.h"
#include "agent/transport/identity.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/wire.h"
#include "net/client.h"

namespace {

using Steady = std::chrono::steady_clock;

int Fail(const std::string& message) {
  std::cerr << "channel_probe: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rampart;
  if (argc < 2) return Fail("usage: channel_probe DATA_DIR [--commands N] [--timeout-ms MS]");
  const std::string data_dir = argv[1];
  long commands_wanted = 0;
  long timeout_ms = 10000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    auto value = ParseInt<long>(argv[i + 1]);
    if (!value) return Fail("bad value for " + flag);
    if (flag == "--commands") {
      commands_wanted = *value;
    } else if (flag == "--timeout-ms") {
      timeout_ms = *value;
    } else {
      return Fail("unknown flag " + flag);
    }
  }
  auto identity = agent::LoadIdentity(data_dir);
  if (!identity) return Fail(identity.error().ToString());
  auto url = agent::ChannelUrl(identity->server_url);
  if (!url) return Fail(url.error().ToString());
  net::ClientOptions options;
  options.pin_sha256 = identity->cert_sha256;
  net::Headers headers;
  headers.Add("Authorization", wire::FormatAgentAuthorization(identity->host_id, identity->secret));
  auto ws = net::WsClient::Connect(*url, headers, options);
  if (!ws) return Fail(ws.error().ToString());

  const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  long commands_seen = 0;
  // Receives and prints until `done` or the deadline; false on timeout or a closed channel.
  auto pump = [&](auto done) -> bool {
    while (!done()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (left.count() <= 0) return false;
      auto message = (*ws)->Receive(left);
      if (!message) {
        std::cerr << "channel_probe: " << message.error().ToString() << "\n";
        return false;
      }
      if (!*message) continue;
      std::cout << **message << "\n" << std::flush;
      auto parsed = Json::Parse(**message);
      if (!parsed.ok()) continue;
      const std::string type = parsed->GetString("type");
      if (type == "command") ++commands_seen;
      if (type == "error") return false;
    }
    return true;
  };

  if (!(*ws)->Send(R"({"type":"hello","agent_version":"channel-probe","config_version":0})").ok()) {
    return Fail("sending hello failed");
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (TrimView(line).empty()) continue;
    auto message = Json::Parse(line);
    if (!message.ok()) return Fail("stdin: not JSON: " + line.substr(0, 80));
    if (!(*ws)->Send(line).ok()) return Fail("sending failed");
    if (message->GetString("type") != "batch") continue;
    const std::string key = message->GetString("key");
    bool acked = false;
    // Waits for this batch's ack (printing whatever comes before it).
    while (!acked) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (left.count() <= 0) {
        std::cerr << "channel_probe: no ack for batch " << key << "\n";
        return 1;
      }
      auto received = (*ws)->Receive(left);
      if (!received) {
        std::cerr << "channel_probe: " << received.error().ToString() << "\n";
        return 1;
      }
      if (!*received) continue;
      std::cout << **received << "\n" << std::flush;
      auto parsed = Json::Parse(**received);
      if (!parsed.ok()) continue;
      if (parsed->GetString("type") == "command") ++commands_seen;
      if (parsed->GetString("type") == "ack" && parsed->GetString("key") == key) acked = true;
    }
  }
  const bool ok = pump([&] { return commands_seen >= commands_wanted; });
  (*ws)->Close();
  if (!ok) {
    std::cerr << "channel_probe: saw " << commands_seen << " of " << commands_wanted
              << " command(s) before the timeout\n";
    return 1;
  }
  return 0;
}
