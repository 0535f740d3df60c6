#include "fleet_sim_api.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>

#include "fleet_sim_ws.h"

namespace rampart::fleet {
namespace {

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One blocking keep-alive HTTPS connection (10 s socket timeouts).
class HttpsConnection {
 public:
  HttpsConnection(const Endpoint& endpoint, const TlsClientContext& tls)
      : endpoint_(endpoint), tls_(tls) {}
  ~HttpsConnection() { Close(); }

  bool connected() const { return ssl_ != nullptr; }

  Status Connect() {
    Close();
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return ErrnoStatus(errno, "socket");
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(endpoint_.port);
    sin.sin_addr.s_addr = endpoint_.ipv4_be;
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&sin), sizeof(sin)) != 0) {
      Status s = ErrnoStatus(errno, "API connect to " + endpoint_.host_header);
      Close();
      return s;
    }
    ssl_ = tls_.NewSsl(fd_);
    if (ssl_ == nullptr) {
      Close();
      return Internal("SSL_new: " + DrainSslErrors());
    }
    if (SSL_connect(ssl_) != 1) {
      Status s = Unavailable("API TLS handshake: " + DrainSslErrors());
      Close();
      return s;
    }
    if (Status s = tls_.CheckPeer(ssl_); !s.ok()) {
      Close();
      return s;
    }
    return Status::Ok();
  }

  void Close() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ssl_ = nullptr;
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  // Sends a GET and reads the whole response; returns the HTTP status. Transport errors close.
  Result<int> Get(const std::string& target, const std::string& token, std::string* body_start) {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + endpoint_.host_header +
                      "\r\nAuthorization: Bearer " + token +
                      "\r\nAccept: application/json\r\nUser-Agent: rampart-fleet-sim\r\n\r\n";
    if (SSL_write(ssl_, req.data(), static_cast<int>(req.size())) <= 0) {
      return Fail("API write: " + DrainSslErrors());
    }
    std::optional<HttpHead> head;
    while (!head) {
      auto parsed = ParseHttpHead(buf_);
      if (!parsed.ok()) return Fail("API response: " + parsed.error().message());
      if (parsed->has_value()) {
        head = **parsed;
        break;
      }
      if (!ReadMore()) return Fail("API read (head): " + LastReadError());
    }
    buf_.erase(0, head->head_bytes);
    std::string body;
    if (head->chunked) {
      RAMPART_ASSIGN_OR_RETURN(body, ReadChunked());
    } else if (head->content_length >= 0) {
      auto want = static_cast<std::size_t>(head->content_length);
      while (buf_.size() < want) {
        if (!ReadMore()) return Fail("API read (body): " + LastReadError());
      }
      body = buf_.substr(0, want);
      buf_.erase(0, want);
    } else {
      while (ReadMore()) {
      }
      body.swap(buf_);
      head->close = true;
    }
    if (body_start != nullptr) *body_start = body.substr(0, 200);
    if (head->close) Close();
    return head->status;
  }

 private:
  Status Fail(std::string what) {
    Close();
    return Unavailable(std::move(what));
  }

  bool ReadMore() {
    char tmp[16384];
    int n = SSL_read(ssl_, tmp, sizeof(tmp));
    if (n <= 0) {
      int e = SSL_get_error(ssl_, n);
      last_error_ = e == SSL_ERROR_ZERO_RETURN ? "connection closed"
                    : e == SSL_ERROR_SYSCALL   ? (errno == EAGAIN ? "timeout (10 s)"
                                                  : errno == 0    ? "connection closed"
                                                                  : std::strerror(errno))
                                               : DrainSslErrors();
      return false;
    }
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  std::string LastReadError() const { return last_error_; }

  Result<std::string> ReadChunked() {
    std::string body;
    for (;;) {
      std::size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        if (!ReadMore()) return Fail("API read (chunk size): " + LastReadError());
      }
      std::size_t size = 0;
      auto [p, ec] = std::from_chars(buf_.data(), buf_.data() + eol, size, 16);
      if (ec != std::errc()) return Fail("API response: bad chunk size");
      (void)p;
      buf_.erase(0, eol + 2);
      while (buf_.size() < size + 2) {
        if (!ReadMore()) return Fail("API read (chunk): " + LastReadError());
      }
      body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
      if (size == 0) return body;  // no trailers from our server
    }
  }

  const Endpoint& endpoint_;
  const TlsClientContext& tls_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string buf_;
  std::string last_error_;
};

}  // namespace

ApiLoad::ApiLoad(ApiLoadOptions options) : o_(std::move(options)) {}

ApiLoad::~ApiLoad() { Stop(); }

void ApiLoad::Start() {
  start_us_ = NowUs();
  for (int w = 0; w < o_.connections; ++w) threads_.emplace_back([this, w] { Worker(w); });
}

void ApiLoad::Stop() {
  stop_.store(true);
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

std::vector<ApiSample> ApiLoad::Samples() const {
  std::lock_guard<std::mutex> lock(mu_);
  return samples_;
}

std::vector<std::string> ApiLoad::ErrorSamples() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [text, count] : errors_) out.push_back(std::to_string(count) + "x " + text);
  return out;
}

void ApiLoad::RecordError(const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (errors_.size() < 20 || errors_.count(text) != 0) ++errors_[text];
}

void ApiLoad::Worker(int worker) {
  HttpsConnection conn(o_.endpoint, *o_.tls);
  if (Status s = conn.Connect(); !s.ok()) RecordError(s.message());
  std::mt19937 rng(static_cast<std::uint32_t>(worker) * 7919u + 17u);
  const auto period_us = static_cast<std::int64_t>(1e6 / std::max(0.1, o_.rps));
  while (!stop_.load()) {
    std::int64_t slot = next_slot_.fetch_add(1);
    std::int64_t due = start_us_ + slot * period_us;
    while (!stop_.load()) {
      std::int64_t wait = due - NowUs();
      if (wait <= 0) break;
      std::this_thread::sleep_for(std::chrono::microseconds(std::min<std::int64_t>(wait, 100000)));
    }
    if (stop_.load()) break;
    ApiSample sample;
    sample.due_ms = due / 1000;
    sample.detail = slot % 10 == 9 && !o_.host_ids.empty();
    std::string target = "/api/v1/hosts?limit=50";
    if (sample.detail) {
      std::uniform_int_distribution<std::size_t> pick(0, o_.host_ids.size() - 1);
      target = "/api/v1/hosts/" + o_.host_ids[pick(rng)];
    }
    // A request that finds its connection closed reconnects first; that cost counts, as it would
    // for any client.
    Status connected = conn.connected() ? Status::Ok() : conn.Connect();
    if (!connected.ok()) {
      RecordError(connected.message());
    } else {
      std::string body;
      auto status = conn.Get(target, o_.token, &body);
      if (status.ok()) {
        sample.status = *status;
        if (*status != 200) {
          RecordError("HTTP " + std::to_string(*status) + " for " +
                      (sample.detail ? "GET /api/v1/hosts/{id}" : target) + ": " + body);
        }
      } else {
        RecordError(status.error().message());
      }
    }
    sample.latency_us = NowUs() - due;
    std::lock_guard<std::mutex> lock(mu_);
    samples_.push_back(sample);
  }
}

}  // namespace rampart::fleet
