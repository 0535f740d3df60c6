// HttpServer on Boost.Beast + Asio + OpenSSL. One of the two files that include Boost (see
// CMakeLists.txt). I/O runs on `io_threads` threads, one strand per connection; application hooks
// run on separate pools (HTTP requests on `worker_threads`, WebSocket messages on
// `ws_worker_threads`), so a slow database call never stalls other sockets and a storm of agent
// messages never queues ahead of API requests.
//
// Lifetimes: every session (HTTP or WebSocket) registers with the ServerCore and unregisters in its
// destructor; Stop() waits until none is left before it stops the io_context, so no socket outlives
// it. The WsConnection handed to the application is a separate small object (WsOutbox) that never
// keeps a session or the io_context alive, because the application may hold it after Stop().
// clang-format off
#include <utility>  // before Boost: Boost 1.74's Asio uses std::exchange under C++20
// clang-format on

#include <sys/resource.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/json.h"
#include "common/logging.h"
#include "net/server.h"
#include "net/tls_cert.h"
#include "net/ws_outbox.h"

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

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{30};
constexpr std::chrono::seconds kLingerTimeout{2};
// Messages received but not yet handled by the worker pool, per WebSocket; beyond this the
// server stops reading from that socket (back-pressure) instead of queueing without bound.
constexpr int kMaxInflightMessages = 16;
constexpr std::chrono::seconds kStopGrace{2};

std::string ErrorBody(std::string_view code, std::string_view message) {
  Json body;
  body["error"]["code"] = Json(code);
  body["error"]["message"] = Json(message);
  return body.Dump();
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse res;
  res.status = status;
  res.body = ErrorBody(code, message);
  return res;
}

std::string PeerAddress(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.to_string();
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// The Beast response for a hook's HttpResponse, with the headers every response carries.
// head: the answer to a HEAD request, which carries the length but not the body.
http::response<http::string_body> ToBeast(HttpResponse in, bool keep_alive, bool head = false) {
  http::response<http::string_body> res;
  res.version(11);
  if (in.status < 100 || in.status > 999) {
    log::Error("http hook returned invalid status {}", in.status);
    in = ErrorResponse(500, "internal", "invalid response status");
  }
  res.result(static_cast<unsigned>(in.status));
  bool has_cache_control = false;
  for (const auto& [name, value] : in.headers.all()) {
    if (name == "content-length" || name == "transfer-encoding" || name == "connection" ||
        HasLineBreak(name) || HasLineBreak(value) || name.empty()) {
      continue;  // framing is ours; line breaks would split the header block
    }
    if (name == "cache-control") has_cache_control = true;
    res.insert(name, value);
  }
  if (!in.content_type.empty() && !HasLineBreak(in.content_type)) {
    res.set(http::field::content_type, in.content_type);
  }
  res.set("X-Content-Type-Options", "nosniff");
  if (!has_cache_control) res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  const bool bodiless = in.status < 200 || in.status == 204 || in.status == 304;
  if (!bodiless) {
    res.body() = std::move(in.body);
    res.prepare_payload();
    if (head) res.body().clear();  // Content-Length stays
  }
  return res;
}

// Serialises application calls for one thing (a WebSocket's handler) on the WebSocket pool.
using WorkerStrand = asio::strand<asio::thread_pool::executor_type>;

class Session {
 public:
  virtual ~Session() = default;
  // Thread-safe: posts to the session's strand. hard: drop the socket now; otherwise close
  // politely (WebSocket close frame).
  virtual void Shutdown(bool hard) = 0;
};

// State shared by the listener and every session. Outlives all sessions (Stop() waits).
struct ServerCore {
  ServerCore(ServerOptions opts, ServerHooks h)
      : options(std::move(opts)),
        hooks(std::move(h)),
        ioc(std::max(1, options.io_threads)),
        pool(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        ws_pool(static_cast<std::size_t>(std::max(1, options.ws_worker_threads > 0
                                                         ? options.ws_worker_threads
                                                         : options.worker_threads))) {}

  ServerOptions options;
  ServerHooks hooks;
  asio::io_context ioc;
  asio::thread_pool pool;     // HTTP hooks
  asio::thread_pool ws_pool;  // WebSocket hooks: agent traffic never queues ahead of API requests
  std::optional<asio::ssl::context> ssl;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> ws_count{0};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;

  std::uint64_t Register(std::weak_ptr<Session> session) {
    std::lock_guard lock(mu);
    sessions.emplace(++next_id, std::move(session));
    return next_id;
  }
  void Unregister(std::uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
    if (sessions.empty()) cv.notify_all();
  }
  void ShutdownAll(bool hard) {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(mu);
      for (auto& [id, weak] : sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->Shutdown(hard);
  }
  bool WaitForSessions(std::chrono::steady_clock::duration limit) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [this] { return sessions.empty(); });
  }
};

// A session's registration, released when the session is destroyed.
class Registration {
 public:
  explicit Registration(ServerCore& core) : core_(core) {}
  ~Registration() {
    if (id_ != 0) core_.Unregister(id_);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  void Register(std::weak_ptr<Session> session) { id_ = core_.Register(std::move(session)); }

 private:
  ServerCore& core_;
  std::uint64_t id_ = 0;
};

// ---------------------------------------------------------------------------------------------
// WebSocket sessions

// The application's handler and the worker strand that serialises calls into it. The handler is
// only touched on that strand.
struct HandlerBox {
  explicit HandlerBox(asio::thread_pool& pool) : strand(asio::make_strand(pool)) {}
  WorkerStrand strand;
  std::shared_ptr<WsHandler> handler;
};

template <typename Stream>
class WsSession final : public Session, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(ServerCore& core, Stream stream, std::string peer, http::request<http::string_body> req)
      : core_(core),
        registration_(core),
        ws_(std::move(stream)),
        ex_(ws_.get_executor()),
        req_(std::move(req)),
        outbox_(std::make_shared<WsOutbox>(std::move(peer))),
        box_(std::make_shared<HandlerBox>(core.ws_pool)) {}

  // REQUIRES: on the session's strand (the socket's executor).
  void Start(HttpRequest request) {
    registration_.Register(this->weak_from_this());
    // While bound the session is registered, so the io_context behind ex_ is alive.
    outbox_->Bind([ex = ex_, weak = this->weak_from_this()] {
      asio::post(ex, [weak] {
        if (auto self = weak.lock()) self->OnWake();
      });
    });
    if (core_.stopping) return Finish();
    asio::post(box_->strand, [self = this->shared_from_this(), request = std::move(request)] {
      HttpResponse refusal;
      std::shared_ptr<WsHandler> handler;
      try {
        handler = self->core_.hooks.websocket(request, self->outbox_, refusal);
      } catch (const std::exception& e) {
        log::Error("websocket hook for {} threw: {}", request.path, e.what());
        handler.reset();
        refusal = ErrorResponse(500, "internal", "internal server error");
      } catch (...) {
        log::Error("websocket hook for {} threw a non-standard exception", request.path);
        handler.reset();
        refusal = ErrorResponse(500, "internal", "internal server error");
      }
      self->box_->handler = handler;
      asio::post(self->ex_,
                 [self, accepted = handler != nullptr, refusal = std::move(refusal)]() mutable {
                   self->OnHookDone(accepted, std::move(refusal));
                 });
    });
  }

  void Shutdown(bool hard) override {
    asio::post(ex_, [self = this->shared_from_this(), hard] { self->DoShutdown(hard); });
  }

 private:
  void OnWake() {
    if (outbox_->hard_close()) return Finish();
    MaybeWrite();
  }

  void OnHookDone(bool accepted, HttpResponse refusal) {
    if (finished_) return;
    if (core_.stopping || shutdown_) return Finish();
    if (!accepted) return WriteRefusal(std::move(refusal));
    beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timeouts take over
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = kHandshakeTimeout;
    // Beast pings after half of this without traffic and drops the peer after all of it.
    timeout.idle_timeout = 3 * core_.options.ws_ping_interval;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.read_message_max(core_.options.max_ws_message_bytes);
    ws_.auto_fragment(false);
    ws_.async_accept(req_,
                     [self = this->shared_from_this()](error_code ec) { self->OnAccept(ec); });
  }

  void WriteRefusal(HttpResponse refusal) {
    if (refusal.status < 400) {
      refusal = ErrorResponse(403, "permission_denied", "websocket upgrade refused");
    }
    try {
      refusal_ = ToBeast(std::move(refusal), /*keep_alive=*/false);
    } catch (const std::exception& e) {
      log::Error("websocket refusal: {}", e.what());
      return Finish();
    }
    beast::get_lowest_layer(ws_).expires_after(kHandshakeTimeout);
    http::async_write(ws_.next_layer(), refusal_,
                      [self = this->shared_from_this()](error_code, std::size_t) {
                        self->refusal_ = {};
                        self->Finish();
                      });
  }

  void OnAccept(error_code ec) {
    req_ = {};
    if (ec) {
      log::Debug("websocket handshake with {} failed: {}", outbox_->remote_addr(), ec.message());
      return Finish();
    }
    if (finished_) return;
    accepted_ = true;
    ++core_.ws_count;
    DoRead();
    MaybeWrite();
  }

  void DoShutdown(bool hard) {
    shutdown_ = true;
    if (finished_) return;
    if (hard || !accepted_) return Finish();
    close_code_ = websocket::close_code::going_away;
    outbox_->RequestClose();
    MaybeWrite();
  }

  void DoRead() {
    if (finished_) return;
    if (inflight_ >= kMaxInflightMessages) {
      read_paused_ = true;
      return;
    }
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(error_code ec) {
    if (finished_) return;  // a completion queued before Finish(): OnClose is already queued
    if (ec) {
      if (ec != websocket::error::closed) {
        log::Debug("websocket {}: {}", outbox_->remote_addr(), ec.message());
      }
      return Finish();
    }
    std::string message = beast::buffers_to_string(buffer_.data());
    // Idle agents are the common case: keep no read buffer between messages.
    buffer_.consume(buffer_.size());
    buffer_.shrink_to_fit();
    ++inflight_;
    asio::post(box_->strand, [self = this->shared_from_this(), message = std::move(message)] {
      if (self->box_->handler) {
        try {
          self->box_->handler->OnMessage(message);
        } catch (const std::exception& e) {
          log::Error("websocket handler for {} threw: {}", self->outbox_->remote_addr(), e.what());
        } catch (...) {
          log::Error("websocket handler for {} threw", self->outbox_->remote_addr());
        }
      }
      asio::post(self->ex_, [self] { self->OnHandled(); });
    });
    DoRead();
  }

  void OnHandled() {
    --inflight_;
    if (read_paused_ && !finished_) {
      read_paused_ = false;
      DoRead();
    }
  }

  void MaybeWrite() {
    if (finished_ || !accepted_ || writing_ || closing_) return;
    WsOutbox::Next next = outbox_->TakeNext();
    if (next.message) {
      writing_ = true;
      current_ = std::move(*next.message);
      ws_.text(true);
      ws_.async_write(
          asio::buffer(current_),
          [self = this->shared_from_this()](error_code ec, std::size_t) { self->OnWrite(ec); });
    } else if (next.close) {
      closing_ = true;
      ws_.async_close(close_code_, [self = this->shared_from_this()](error_code) {
        // The read loop normally ends with the peer's close frame; this covers the rest.
        self->Finish();
      });
    }
  }

  void OnWrite(error_code ec) {
    writing_ = false;
    current_ = std::string();
    if (ec) {
      log::Debug("websocket {} write: {}", outbox_->remote_addr(), ec.message());
      return Finish();
    }
    MaybeWrite();
  }

  // Ends the session once: refuses further sends, closes the socket (pending operations end with
  // an error) and queues OnClose behind any OnMessage already queued.
  void Finish() {
    if (finished_) return;
    finished_ = true;
    outbox_->MarkFinished();
    if (accepted_) --core_.ws_count;
    asio::post(box_->strand, [box = box_] {
      if (box->handler) {
        try {
          box->handler->OnClose();
        } catch (const std::exception& e) {
          log::Error("websocket OnClose threw: {}", e.what());
        } catch (...) {
          log::Error("websocket OnClose threw");
        }
      }
      box->handler.reset();
    });
    beast::get_lowest_layer(ws_).close();
  }

  ServerCore& core_;
  Registration registration_;
  websocket::stream<Stream> ws_;
  const asio::any_io_executor ex_;
  http::request<http::string_body> req_;  // the upgrade request, until accepted
  http::response<http::string_body> refusal_;
  beast::flat_buffer buffer_;
  std::string current_;  // the message being written
  std::shared_ptr<WsOutbox> outbox_;
  std::shared_ptr<HandlerBox> box_;
  websocket::close_code close_code_ = websocket::close_code::normal;
  int inflight_ = 0;
  bool accepted_ = false;
  bool finished_ = false;
  bool shutdown_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool read_paused_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP sessions

bool IsQuietReadError(error_code ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec.category() != http::make_error_code(http::error::bad_target).category();
}

Status ToHttpRequest(http::request<http::string_body>& msg, const std::string& peer,
                     HttpRequest& out) {
  out.method = std::string(msg.method_string());
  for (char& c : out.method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  RAMPART_RETURN_IF_ERROR(ParseTarget(msg.target(), out));
  for (const auto& field : msg) out.headers.Add(field.name_string(), field.value());
  out.body = std::move(msg.body());
  out.remote_addr = peer;
  return Status::Ok();
}

template <typename Stream>
class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(ServerCore& core, Stream stream, std::string peer)
      : core_(core),
        registration_(core),
        stream_(std::move(stream)),
        ex_(stream_.get_executor()),
        peer_(std::move(peer)) {}

  // Called from the acceptor's strand.
  void Start() {
    registration_.Register(this->weak_from_this());
    asio::dispatch(ex_, [self = this->shared_from_this()] { self->Begin(); });
  }

  void Shutdown(bool hard) override {
    asio::post(ex_, [self = this->shared_from_this(), hard] {
      self->shutdown_ = true;
      // Idle between requests (or any state when hard): drop the connection. A request being
      // handled finishes, and its response says "Connection: close".
      if (hard || self->reading_) self->CloseNow();
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if (core_.stopping) return CloseNow();
    if constexpr (kIsTls<Stream>) {
      lowest().expires_after(std::min<std::chrono::steady_clock::duration>(
          kHandshakeTimeout, core_.options.idle_timeout));
      reading_ = true;
      stream_.async_handshake(
          asio::ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
            self->reading_ = false;
            if (ec) {
              log::Debug("TLS handshake with {} failed: {}", self->peer_, ec.message());
              return self->CloseNow();
            }
            self->ReadRequest();
          });
    } else {
      ReadRequest();
    }
  }

  void ReadRequest() {
    if (core_.stopping || shutdown_) return GracefulClose();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(core_.options.max_body_bytes);
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    lowest().expires_after(core_.options.idle_timeout);
    reading_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code ec, std::size_t) {
                              self->reading_ = false;
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(error_code ec) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    if (websocket::is_upgrade(msg) && core_.hooks.websocket) return Upgrade();
    const auto length = parser_->content_length();
    if (length && *length > core_.options.max_body_bytes) return TooLarge();
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(msg[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](error_code wec, std::size_t) {
                          if (wec) return self->CloseNow();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code ec, std::size_t) {
                       self->reading_ = false;
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch();
                     });
  }

  void OnReadError(error_code ec) {
    if (ec == http::error::body_limit) return TooLarge();
    if (ec == http::error::header_limit) {
      return Respond(
          ErrorResponse(431, "header_too_large",
                        "request headers exceed " + std::to_string(kHeaderLimit) + " bytes"),
          false, /*drain=*/true);
    }
    if (IsQuietReadError(ec)) return CloseNow();
    Respond(ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()), false,
            /*drain=*/true);
  }

  void TooLarge() {
    Respond(ErrorResponse(413, "payload_too_large",
                          "request body exceeds the limit of " +
                              std::to_string(core_.options.max_body_bytes) + " bytes"),
            false, /*drain=*/true);
  }

  void Upgrade() {
    http::request<http::string_body> msg = parser_->release();
    HttpRequest request;
    if (Status st = ToHttpRequest(msg, peer_, request); !st.ok()) {
      return Respond(ErrorResponse(400, "invalid_argument", st.message()), false);
    }
    auto ws = std::make_shared<WsSession<Stream>>(core_, std::move(stream_), peer_, std::move(msg));
    ws->Start(std::move(request));
    // This session has no operation left and ends when the last handler holding it returns.
  }

  void Dispatch() {
    http::request<http::string_body> msg = parser_->release();
    parser_.reset();
    const bool keep_alive = msg.keep_alive() && !core_.stopping;
    HttpRequest request;
    if (Status st = ToHttpRequest(msg, peer_, request); !st.ok()) {
      return Respond(ErrorResponse(400, "invalid_argument", st.message()), keep_alive);
    }
    if (!core_.hooks.http) {
      return Respond(ErrorResponse(404, "not_found", "no HTTP handler"), keep_alive);
    }
    const bool head = msg.method() == http::verb::head;
    asio::post(core_.pool, [self = this->shared_from_this(), request = std::move(request),
                            keep_alive, head] {
      HttpResponse response;
      try {
        response = self->core_.hooks.http(request);
      } catch (const std::exception& e) {
        log::Error("http hook for {} {} threw: {}", request.method, request.path, e.what());
        response = ErrorResponse(500, "internal", "internal server error");
      } catch (...) {
        log::Error("http hook for {} {} threw", request.method, request.path);
        response = ErrorResponse(500, "internal", "internal server error");
      }
      asio::post(self->ex_, [self, response = std::move(response), keep_alive, head]() mutable {
        self->Respond(std::move(response), keep_alive, /*drain=*/false, head);
      });
    });
  }

  void Respond(HttpResponse response, bool keep_alive, bool drain = false, bool head = false) {
    if (core_.stopping || shutdown_) keep_alive = false;
    try {
      res_ = ToBeast(std::move(response), keep_alive, head);
    } catch (const std::exception& e) {
      log::Error("building the HTTP response: {}", e.what());
      res_ = ToBeast(ErrorResponse(500, "internal", "internal server error"), keep_alive);
    }
    lowest().expires_after(std::max<std::chrono::steady_clock::duration>(
        kHandshakeTimeout, core_.options.idle_timeout));
    http::async_write(
        stream_, res_,
        [self = this->shared_from_this(), keep_alive, drain](error_code ec, std::size_t) {
          self->res_ = {};
          if (ec) return self->CloseNow();
          if (drain) return self->LingerClose();
          if (!keep_alive) return self->GracefulClose();
          self->ReadRequest();
        });
  }

  // After an early error response the client may still be sending its body. Closing with unread
  // data makes the kernel send RST, which can destroy our response before the client reads it,
  // so read and discard for a short while first.
  void LingerClose() {
    error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return CloseNow();
    drain_.resize(4096);
    lowest().expires_after(kLingerTimeout);
    Drain();
  }
  void Drain() {
    lowest().async_read_some(asio::buffer(drain_),
                             [self = this->shared_from_this()](error_code ec, std::size_t) {
                               if (ec) return self->CloseNow();
                               self->Drain();
                             });
  }

  void GracefulClose() {
    if constexpr (kIsTls<Stream>) {
      lowest().expires_after(kLingerTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->CloseNow(); });
    } else {
      error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      CloseNow();
    }
  }

  void CloseNow() { lowest().close(); }

  ServerCore& core_;
  Registration registration_;
  Stream stream_;
  const asio::any_io_executor ex_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::vector<char> drain_;
  bool reading_ = false;
  bool shutdown_ = false;
};

class ServerImpl final : public HttpServer {
 public:
  explicit ServerImpl(std::unique_ptr<ServerCore> core)
      : core_(std::move(core)),
        acceptor_(asio::make_strand(core_->ioc)),
        retry_timer_(acceptor_.get_executor()),
        work_(asio::make_work_guard(core_->ioc)) {}
  ~ServerImpl() override { Stop(); }

  Status Listen() {
    const ServerOptions& o = core_->options;
    error_code ec;
    const asio::ip::address address = asio::ip::make_address(o.listen_address, ec);
    if (ec) {
      return InvalidArgument("listen address \"" + o.listen_address +
                             "\" is not an IP address: " + ec.message());
    }
    const tcp::endpoint endpoint(address, o.port);
    const std::string where = o.listen_address + ":" + std::to_string(o.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && address.is_v6() && address.is_unspecified()) {
      acceptor_.set_option(asio::ip::v6_only(false), ec);  // "::" serves IPv4 too
    }
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return FailedPrecondition("cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    return Status::Ok();
  }

  void Run() {
    DoAccept();
    const int n = std::max(1, core_->options.io_threads);
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        for (;;) {
          try {
            core_->ioc.run();
            return;
          } catch (const std::exception& e) {
            log::Error("http server I/O thread: unexpected exception: {}", e.what());
          }
        }
      });
    }
  }

  std::uint16_t port() const override { return port_; }
  std::size_t websocket_count() const override { return core_->ws_count.load(); }

  void Stop() override {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    core_->stopping = true;
    // Closed on its strand (when the I/O threads run), and waited for: connections must be
    // refused once Stop() returns.
    std::promise<void> closed;
    auto close_acceptor = [this, &closed] {
      error_code ec;
      acceptor_.close(ec);
      retry_timer_.cancel();
      closed.set_value();
    };
    if (threads_.empty()) {
      close_acceptor();  // Start() failed before Run()
    } else {
      asio::post(acceptor_.get_executor(), close_acceptor);
    }
    closed.get_future().wait();
    core_->ShutdownAll(/*hard=*/false);
    if (!core_->WaitForSessions(kStopGrace)) {
      core_->ShutdownAll(/*hard=*/true);
      while (!core_->WaitForSessions(std::chrono::seconds(10))) {
        // Only a hook that never returns can hold a session this long.
        log::Warn("http server stop: still waiting for connections to finish");
        core_->ShutdownAll(/*hard=*/true);
      }
    }
    work_.reset();
    core_->ioc.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    core_->ws_pool.join();  // runs the remaining OnClose calls
    core_->pool.join();
  }

 private:
  void DoAccept() {
    acceptor_.async_accept(asio::make_strand(core_->ioc), [this](error_code ec, tcp::socket s) {
      if (core_->stopping || ec == asio::error::operation_aborted) return;
      if (ec) {
        // Typically EMFILE: back off instead of spinning on the error.
        log::Warn("http server accept: {}", ec.message());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([this](error_code wait_ec) {
          if (!wait_ec && !core_->stopping) DoAccept();
        });
        return;
      }
      error_code opt_ec;
      s.set_option(tcp::no_delay(true), opt_ec);
      std::string peer = PeerAddress(s);
      if (core_->ssl) {
        std::make_shared<HttpSession<TlsStream>>(*core_, TlsStream(std::move(s), *core_->ssl),
                                                 std::move(peer))
            ->Start();
      } else {
        std::make_shared<HttpSession<PlainStream>>(*core_, PlainStream(std::move(s)),
                                                   std::move(peer))
            ->Start();
      }
      DoAccept();
    });
  }

  std::unique_ptr<ServerCore> core_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

Status ConfigureTls(const ServerOptions& o, ServerCore& core) {
  if (o.cert_pem_path.empty() && o.key_pem_path.empty()) return Status::Ok();
  if (o.cert_pem_path.empty() || o.key_pem_path.empty()) {
    return InvalidArgument("TLS needs both a certificate and a key file (got only " +
                           (o.cert_pem_path.empty() ? o.key_pem_path : o.cert_pem_path) + ")");
  }
  // Checks both files with messages that name them before OpenSSL sees them.
  RAMPART_RETURN_IF_ERROR(LoadCertificate(o.cert_pem_path, o.key_pem_path).status());
  try {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression |
                    asio::ssl::context::single_dh_use);
    // Frees OpenSSL's record buffers while a connection is idle: most agents are idle.
    SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    ctx.use_certificate_chain_file(o.cert_pem_path);
    ctx.use_private_key_file(o.key_pem_path, asio::ssl::context::pem);
    core.ssl.emplace(std::move(ctx));
  } catch (const boost::system::system_error& e) {
    return InvalidArgument("loading TLS certificate " + o.cert_pem_path + " / key " +
                           o.key_pem_path + ": " + e.what());
  }
  return Status::Ok();
}

// Agents hold one socket each; the default soft limit of open files (often 1024) is far too low.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) log::Debug("could not raise RLIMIT_NOFILE");
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options,
                                                      ServerHooks hooks) {
  if (options.max_ws_message_bytes == 0 || options.ws_ping_interval.count() <= 0 ||
      options.idle_timeout.count() <= 0) {
    return InvalidArgument(
        "server options: max_ws_message_bytes, ws_ping_interval and idle_timeout must be > 0");
  }
  RaiseOpenFileLimit();
  try {
    auto core = std::make_unique<ServerCore>(options, std::move(hooks));
    RAMPART_RETURN_IF_ERROR(ConfigureTls(options, *core));
    auto server = std::make_unique<ServerImpl>(std::move(core));
    RAMPART_RETURN_IF_ERROR(server->Listen());
    server->Run();
    return std::unique_ptr<HttpServer>(std::move(server));
  } catch (const std::exception& e) {
    return Internal(std::string("starting the http server: ") + e.what());
  }
}

}  // namespace rampart::net
