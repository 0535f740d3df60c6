// Fetch and WsClient on Boost.Beast + Asio + OpenSSL. One of the two files that include Boost.
//
// All client sockets live on one process-wide io_context served by one background thread, so a
// WebSocket keeps answering the server's pings while its owner is busy, and thousands of clients
// (the load simulator) cost no thread each. Callers block on a promise until the operation they
// posted completes; every operation has a timeout, and on expiry the caller gives up and closes
// the socket, while the operation keeps its state alive (shared_ptr) until it completes.
// clang-format off
#include <utility>  // before Boost: Boost 1.74's Asio uses std::exchange under C++20
// clang-format on

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "common/hash.h"
#include "common/logging.h"
#include "common/strings.h"
#include "net/client.h"

namespace rampart::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;
using Clock = std::chrono::steady_clock;

constexpr auto kMargin = std::chrono::seconds(2);  // beyond an operation's own timeout
constexpr auto kCloseTimeout = std::chrono::seconds(2);
// Received messages a WsClient buffers before it stops reading until Receive catches up.
constexpr std::size_t kMaxInboxBytes = std::size_t{16} << 20;

// The process-wide client I/O thread. Never destroyed: WsClients may be destroyed during static
// destruction, and the thread must outlive them.
class ClientIo {
 public:
  static asio::io_context& Context() {
    static ClientIo* const io = new ClientIo();
    return io->ioc_;
  }

 private:
  ClientIo() : work_(asio::make_work_guard(ioc_)) {
    std::thread([this] {
      for (;;) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          log::Error("client I/O thread: unexpected exception: {}", e.what());
        }
      }
    }).detach();
  }
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
};

// Posts `initiate(done)` to `ex` and waits until `done(ec)` is called or `limit` passes. On
// expiry it posts `on_timeout` (which should make the operation finish) and returns
// beast::error::timeout without waiting further; `initiate` must keep what the operation uses
// alive by itself.
template <typename Initiate, typename OnTimeout>
error_code Await(const asio::any_io_executor& ex, Clock::duration limit, Initiate initiate,
                 OnTimeout on_timeout) {
  auto done = std::make_shared<std::promise<error_code>>();
  std::future<error_code> result = done->get_future();
  asio::post(ex, [done, initiate = std::move(initiate)]() mutable {
    initiate([done](error_code ec) { done->set_value(ec); });
  });
  if (result.wait_for(limit) == std::future_status::ready) return result.get();
  asio::post(ex, std::move(on_timeout));
  return beast::error::timeout;
}

bool IsIpLiteral(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::string HostHeader(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const std::uint16_t default_port = url.tls() ? 443 : 80;
  if (url.port != default_port) host += ":" + std::to_string(url.port);
  return host;
}

std::string CertFingerprint(X509* cert) {
  if (cert == nullptr) return {};
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  return Sha256Hex(der);
}

// What the verify callback saw, for the error message.
struct PinCheck {
  std::string expected;
  std::string actual;
  bool mismatch = false;
};

Status TransportError(error_code ec, std::string_view what, std::string_view where) {
  const std::string msg = std::string(what) + " " + std::string(where) + ": " + ec.message();
  if (ec == beast::error::timeout || ec == asio::error::timed_out) {
    return {Code::kDeadlineExceeded, "timed out: " + msg};
  }
  return Unavailable(msg);
}

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const ClientOptions& options) {
  try {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    if (!options.pin_sha256.empty()) {
      // The callback decides; the CA store is irrelevant.
      ctx->set_verify_mode(asio::ssl::verify_peer);
    } else if (options.insecure_skip_verify) {
      ctx->set_verify_mode(asio::ssl::verify_none);
    } else {
      ctx->set_verify_mode(asio::ssl::verify_peer);
      if (!options.ca_file.empty()) {
        ctx->load_verify_file(options.ca_file);
      } else {
        ctx->set_default_verify_paths();
      }
    }
    return ctx;
  } catch (const boost::system::system_error& e) {
    return InvalidArgument("TLS setup" +
                           (options.ca_file.empty() ? "" : " with CA file " + options.ca_file) +
                           ": " + e.what());
  }
}

// Host name checks, SNI and the pin callback on one TLS stream.
Status ConfigureTls(TlsStream& stream, const Url& url, const ClientOptions& options,
                    const std::shared_ptr<PinCheck>& pin) {
  SSL* ssl = stream.native_handle();
  const bool ip = IsIpLiteral(url.host);
  // SSL_set_tlsext_host_name is a macro with an old-style cast; this is what it expands to.
  if (!ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(url.host.c_str())) != 1) {
    return InvalidArgument("TLS: cannot use host name " + url.host + " for SNI");
  }
  if (!options.pin_sha256.empty()) {
    pin->expected = ToLower(options.pin_sha256);
    stream.set_verify_callback([pin](bool, asio::ssl::verify_context& ctx) {
      X509_STORE_CTX* store = ctx.native_handle();
      // Only the leaf matters: a pinned certificate needs no chain.
      if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
      pin->actual = CertFingerprint(X509_STORE_CTX_get_current_cert(store));
      pin->mismatch = pin->actual != pin->expected;
      return !pin->mismatch;
    });
  } else if (!options.insecure_skip_verify) {
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str())
                      : SSL_set1_host(ssl, url.host.c_str());
    if (ok != 1) return InvalidArgument("TLS: cannot verify host name " + url.host);
  }
  return Status::Ok();
}

// Resolves, connects and (for TLS) handshakes `stream`, whose owner `keep` keeps alive while
// operations run.
template <typename Stream>
Status OpenTransport(const asio::any_io_executor& ex, const std::shared_ptr<void>& keep,
                     tcp::resolver& resolver, Stream& stream, const Url& url,
                     const ClientOptions& options, const std::string& where) {
  auto endpoints = std::make_shared<tcp::resolver::results_type>();
  error_code ec = Await(
      ex, options.connect_timeout,
      [keep, &resolver, endpoints, host = url.host, port = std::to_string(url.port)](auto done) {
        resolver.async_resolve(host, port, [keep, endpoints, done](error_code rec, auto results) {
          *endpoints = std::move(results);
          done(rec);
        });
      },
      [keep, &resolver] { resolver.cancel(); });
  if (ec) return TransportError(ec, "cannot resolve the host of", where);

  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  ec = Await(
      ex, options.connect_timeout + kMargin,
      [keep, &lowest, endpoints, timeout = options.connect_timeout](auto done) {
        lowest.expires_after(timeout);
        lowest.async_connect(*endpoints,
                             [keep, done](error_code cec, const tcp::endpoint&) { done(cec); });
      },
      [keep, &lowest] { lowest.close(); });
  if (ec == asio::error::connection_refused) return Unavailable("connection refused by " + where);
  if (ec) return TransportError(ec, "cannot connect to", where);
  error_code opt_ec;
  lowest.socket().set_option(tcp::no_delay(true), opt_ec);

  if constexpr (kIsTls<Stream>) {
    auto pin = std::make_shared<PinCheck>();
    RAMPART_RETURN_IF_ERROR(ConfigureTls(stream, url, options, pin));
    ec = Await(
        ex, options.io_timeout + kMargin,
        [keep, &stream, &lowest, timeout = options.io_timeout](auto done) {
          lowest.expires_after(timeout);
          stream.async_handshake(asio::ssl::stream_base::client,
                                 [keep, done](error_code hec) { done(hec); });
        },
        [keep, &lowest] { lowest.close(); });
    if (ec == beast::error::timeout) return TransportError(ec, "TLS handshake with", where);
    if (pin->mismatch) {
      return PermissionDenied("certificate fingerprint mismatch for " + where + ": expected " +
                              pin->expected + ", got " + pin->actual);
    }
    if (ec) {
      std::string detail = ec.message();
      const long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK)
        detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      return Unavailable("TLS handshake with " + where + " failed: " + detail);
    }
    if (!options.pin_sha256.empty()) {
      // Belt and braces: the callback must have approved exactly this leaf.
      X509* leaf = SSL_get1_peer_certificate(stream.native_handle());
      const std::string actual = CertFingerprint(leaf);
      X509_free(leaf);
      if (actual != pin->expected) {
        return PermissionDenied("certificate fingerprint mismatch for " + where + ": expected " +
                                pin->expected + ", got " + actual);
      }
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Fetch

template <typename Stream>
struct FetchConn {
  FetchConn(const asio::any_io_executor& ex, std::shared_ptr<asio::ssl::context> context)
      : ssl(std::move(context)), resolver(ex), stream(MakeStream(ex, ssl.get())) {}
  static Stream MakeStream(const asio::any_io_executor& ex, asio::ssl::context* ssl) {
    if constexpr (kIsTls<Stream>) {
      return Stream(ex, *ssl);
    } else {
      (void)ssl;
      return Stream(ex);
    }
  }
  std::shared_ptr<asio::ssl::context> ssl;  // outlives the stream that uses it
  tcp::resolver resolver;
  Stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;
};

template <typename Stream>
Result<HttpResponse> FetchOver(const Url& url, const std::string& where, std::string_view method,
                               const Headers& headers, std::string_view body,
                               const ClientOptions& options) {
  std::shared_ptr<asio::ssl::context> ssl;
  if constexpr (kIsTls<Stream>) {
    RAMPART_ASSIGN_OR_RETURN(ssl, MakeTlsContext(options));
  }
  const asio::any_io_executor ex = asio::make_strand(ClientIo::Context());
  auto conn = std::make_shared<FetchConn<Stream>>(ex, std::move(ssl));
  const std::shared_ptr<void> keep = conn;
  RAMPART_RETURN_IF_ERROR(
      OpenTransport(ex, keep, conn->resolver, conn->stream, url, options, where));

  auto& req = conn->request;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, HostHeader(url));
  req.set(http::field::user_agent, "rampart");
  for (const auto& [name, value] : headers.all()) req.set(name, value);
  req.keep_alive(false);
  req.body() = std::string(body);
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch) {
    req.prepare_payload();
  }
  conn->parser.emplace();
  conn->parser->body_limit(options.max_response_bytes);
  conn->parser->header_limit(64 * 1024);
  if (verb == http::verb::head) conn->parser->skip(true);

  beast::tcp_stream& lowest = beast::get_lowest_layer(conn->stream);
  error_code ec = Await(
      ex, 2 * options.io_timeout + kMargin,
      [keep, conn, timeout = options.io_timeout](auto done) {
        beast::get_lowest_layer(conn->stream).expires_after(timeout);
        http::async_write(
            conn->stream, conn->request, [keep, conn, timeout, done](error_code wec, std::size_t) {
              if (wec) return done(wec);
              beast::get_lowest_layer(conn->stream).expires_after(timeout);
              http::async_read(conn->stream, conn->buffer, *conn->parser,
                               [keep, done](error_code rec, std::size_t) { done(rec); });
            });
      },
      [keep, &lowest] { lowest.close(); });
  if (ec == http::error::body_limit) {
    asio::post(ex, [keep, &lowest] { lowest.close(); });
    return ResourceExhausted("response from " + where + " exceeds " +
                             std::to_string(options.max_response_bytes) + " bytes");
  }
  if (ec) {
    asio::post(ex, [keep, &lowest] { lowest.close(); });
    return TransportError(ec, "request to", where);
  }
  // Done with the socket; the response is ours now (no more operations touch the parser).
  asio::post(ex, [keep, &lowest] { lowest.close(); });
  http::response<http::string_body> res = conn->parser->release();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& field : res) out.headers.Add(field.name_string(), field.value());
  out.body = std::move(res.body());
  return out;
}

}  // namespace

Result<HttpResponse> Fetch(std::string_view method, std::string_view url, const Headers& headers,
                           std::string_view body, const ClientOptions& options) {
  RAMPART_ASSIGN_OR_RETURN(Url parsed, ParseUrl(url));
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    return InvalidArgument("Fetch needs an http:// or https:// URL, got " + std::string(url));
  }
  const std::string where(url);
  try {
    if (parsed.tls()) return FetchOver<TlsStream>(parsed, where, method, headers, body, options);
    return FetchOver<PlainStream>(parsed, where, method, headers, body, options);
  } catch (const std::exception& e) {
    return Internal("request to " + where + ": " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// WsClient

namespace {

// Everything the I/O thread touches for one WebSocket client. The read loop runs continuously, so
// control frames (pings) are answered even while nobody calls Receive, and a Receive timeout never
// interrupts a read half-way through a frame.
template <typename Stream>
struct WsState : std::enable_shared_from_this<WsState<Stream>> {
  WsState(const asio::any_io_executor& executor, std::shared_ptr<asio::ssl::context> context)
      : ex(executor), ssl(std::move(context)), resolver(executor), ws(MakeStream(ssl.get())) {}
  websocket::stream<Stream> MakeStream(asio::ssl::context* context) {
    if constexpr (kIsTls<Stream>) {
      return websocket::stream<Stream>(ex, *context);
    } else {
      (void)context;
      return websocket::stream<Stream>(ex);
    }
  }

  // On the I/O strand.
  void ReadLoop() {
    ws.async_read(buffer, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->OnRead(ec);
    });
  }
  void OnRead(error_code ec) {
    std::lock_guard lock(mu);
    if (ec) {
      closed = true;
      const auto& reason = ws.reason();
      // A close frame was received, even if answering it then failed (the server may drop the
      // socket right after sending it, e.g. on 1009 "message too big").
      if (ec == websocket::error::closed || reason.code != websocket::close_code::none) {
        close_status = Unavailable(
            "websocket " + where + " closed by the server (code " + std::to_string(reason.code) +
            (reason.reason.empty() ? "" : ", " + std::string(reason.reason)) + ")");
      } else {
        close_status = TransportError(ec, "websocket", where);
      }
      cv.notify_all();
      return;
    }
    std::string message = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    buffer.shrink_to_fit();
    inbox_bytes += message.size();
    inbox.push_back(std::move(message));
    cv.notify_all();
    if (inbox_bytes > kMaxInboxBytes) {
      paused = true;  // Receive resumes the loop
      return;
    }
    ReadLoop();
  }

  const asio::any_io_executor ex;
  const std::shared_ptr<asio::ssl::context> ssl;  // outlives the stream that uses it
  tcp::resolver resolver;
  websocket::stream<Stream> ws;
  beast::flat_buffer buffer;
  std::string where;

  std::mutex mu;  // guards the fields below; the I/O thread fills them, the owner drains them
  std::condition_variable cv;
  std::deque<std::string> inbox;
  std::size_t inbox_bytes = 0;
  bool paused = false;
  bool closed = false;
  Status close_status;
};

Code UpgradeRefusalCode(unsigned status) {
  switch (status) {
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kNotFound;
    default:
      return Code::kUnavailable;
  }
}

template <typename Stream>
class WsClientImpl final : public WsClient {
 public:
  WsClientImpl(std::shared_ptr<WsState<Stream>> state, const ClientOptions& options)
      : state_(std::move(state)), io_timeout_(options.io_timeout) {}
  ~WsClientImpl() override { Close(); }

  Status Send(std::string_view text) override {
    {
      std::lock_guard lock(state_->mu);
      if (state_->closed) return state_->close_status;
    }
    if (closing_) return Unavailable("websocket " + state_->where + " is closed");
    auto message = std::make_shared<std::string>(text);
    const error_code ec = Await(
        state_->ex, io_timeout_,
        [state = state_, message](auto done) {
          state->ws.text(true);
          state->ws.async_write(asio::buffer(*message),
                                [state, message, done](error_code wec, std::size_t) { done(wec); });
        },
        [state = state_] { beast::get_lowest_layer(state->ws).close(); });
    if (ec) {
      // A write that failed or timed out leaves the stream unusable.
      closing_ = true;
      asio::post(state_->ex, [state = state_] { beast::get_lowest_layer(state->ws).close(); });
      return TransportError(ec, "sending on websocket", state_->where);
    }
    return Status::Ok();
  }

  Result<std::optional<std::string>> Receive(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(state_->mu);
    state_->cv.wait_for(lock, timeout, [this] { return !state_->inbox.empty() || state_->closed; });
    if (!state_->inbox.empty()) {
      std::string message = std::move(state_->inbox.front());
      state_->inbox.pop_front();
      state_->inbox_bytes -= message.size();
      if (state_->paused && state_->inbox_bytes <= kMaxInboxBytes / 2) {
        state_->paused = false;
        asio::post(state_->ex, [state = state_] { state->ReadLoop(); });
      }
      return std::optional<std::string>(std::move(message));
    }
    if (state_->closed) return state_->close_status;
    if (closing_) return Unavailable("websocket " + state_->where + " is closed");
    return std::optional<std::string>();
  }

  void Close() override {
    if (closing_) return;
    closing_ = true;
    bool open;
    {
      std::lock_guard lock(state_->mu);
      open = !state_->closed;
    }
    if (open) {
      (void)Await(
          state_->ex, kCloseTimeout,
          [state = state_](auto done) {
            if (!state->ws.is_open()) return done(error_code());
            state->ws.async_close(websocket::close_code::normal,
                                  [state, done](error_code cec) { done(cec); });
          },
          [] {});
    }
    // Whatever happened above, the socket goes now; the read loop then ends and releases state.
    asio::post(state_->ex, [state = state_] { beast::get_lowest_layer(state->ws).close(); });
  }

 private:
  std::shared_ptr<WsState<Stream>> state_;
  std::chrono::milliseconds io_timeout_;
  bool closing_ = false;
};

template <typename Stream>
Result<std::unique_ptr<WsClient>> ConnectOver(const Url& url, const std::string& where,
                                              const Headers& headers,
                                              const ClientOptions& options) {
  std::shared_ptr<asio::ssl::context> ssl;
  if constexpr (kIsTls<Stream>) {
    RAMPART_ASSIGN_OR_RETURN(ssl, MakeTlsContext(options));
  }
  auto state =
      std::make_shared<WsState<Stream>>(asio::make_strand(ClientIo::Context()), std::move(ssl));
  state->where = where;
  const std::shared_ptr<void> keep = state;
  RAMPART_RETURN_IF_ERROR(
      OpenTransport(state->ex, keep, state->resolver, state->ws.next_layer(), url, options, where));

  // From here on the websocket's own timeouts apply: the handshake, and a ping after half of the
  // idle time without traffic (the server normally pings first), giving up after all of it.
  beast::get_lowest_layer(state->ws).expires_never();
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = options.io_timeout;
  timeout.idle_timeout = 4 * options.io_timeout;
  timeout.keep_alive_pings = true;
  state->ws.set_option(timeout);
  state->ws.read_message_max(options.max_response_bytes);
  state->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    req.set(http::field::user_agent, "rampart");
    for (const auto& [name, value] : headers.all()) req.set(name, value);
  }));

  auto response = std::make_shared<websocket::response_type>();
  const error_code ec = Await(
      state->ex, options.io_timeout + kMargin,
      [state, response, host = HostHeader(url), target = url.target](auto done) {
        state->ws.async_handshake(*response, host, target,
                                  [state, response, done](error_code hec) { done(hec); });
      },
      [state] { beast::get_lowest_layer(state->ws).close(); });
  if (ec == websocket::error::upgrade_declined) {
    asio::post(state->ex, [state] { beast::get_lowest_layer(state->ws).close(); });
    const unsigned status = response->result_int();
    std::string body = response->body().substr(0, 300);
    return Status(UpgradeRefusalCode(status), "websocket upgrade to " + where + " refused: HTTP " +
                                                  std::to_string(status) +
                                                  (body.empty() ? "" : " " + body));
  }
  if (ec) {
    asio::post(state->ex, [state] { beast::get_lowest_layer(state->ws).close(); });
    return TransportError(ec, "websocket handshake with", where);
  }
  asio::post(state->ex, [state] { state->ReadLoop(); });
  return std::unique_ptr<WsClient>(std::make_unique<WsClientImpl<Stream>>(state, options));
}

}  // namespace

Result<std::unique_ptr<WsClient>> WsClient::Connect(std::string_view url, const Headers& headers,
                                                    const ClientOptions& options) {
  RAMPART_ASSIGN_OR_RETURN(Url parsed, ParseUrl(url));
  const std::string where(url);
  try {
    if (parsed.tls()) return ConnectOver<TlsStream>(parsed, where, headers, options);
    return ConnectOver<PlainStream>(parsed, where, headers, options);
  } catch (const std::exception& e) {
    return Internal("websocket " + where + ": " + e.what());
  }
}

}  // namespace rampart::net
