#include "fleet_sim_agents.h"

#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "common/wire.h"
#include "fleet_sim_loop.h"
#include "fleet_sim_ws.h"

namespace rampart::fleet {
namespace {

constexpr std::uint32_t kStopTag = 0xFFFFFFFFu;
constexpr std::int64_t kConnectTimeoutMs = 30000;
constexpr std::size_t kKeepCapacity = 4096;

void Release(std::string& s) {
  if (s.empty() && s.capacity() > kKeepCapacity) std::string().swap(s);
}

}  // namespace

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t Fleet::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Fleet::Fleet(FleetOptions options, std::vector<AgentIdentity> agents)
    : options_(std::move(options)), identities_(std::move(agents)) {
  loop_ = std::make_unique<Loop>(options_, identities_, counters_);
}

Fleet::~Fleet() = default;

Status Fleet::Run() {
  RAMPART_RETURN_IF_ERROR(loop_->Init());
  loop_->Run();
  return Status::Ok();
}

void Fleet::Stop() { loop_->Stop(); }

std::vector<std::string> Fleet::ErrorSamples() const { return loop_->ErrorSamples(); }

Fleet::Loop::Loop(const FleetOptions& options, const std::vector<AgentIdentity>& ids,
                  FleetCounters& counters)
    : o_(options), ids_(ids), c_(counters), agents_(ids.size()), rng_(std::random_device{}()) {}

Fleet::Loop::~Loop() {
  for (Agent& a : agents_) {
    if (a.ssl != nullptr) SSL_free(a.ssl);
    if (a.fd >= 0) close(a.fd);
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

Status Fleet::Loop::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return ErrnoStatus(errno, "epoll_create1");
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) return ErrnoStatus(errno, "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kStopTag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev) != 0) {
    return ErrnoStatus(errno, "epoll_ctl(eventfd)");
  }
  return Status::Ok();
}

void Fleet::Loop::Run() {
  t0_ = NowMs();
  last_pace_ms_ = t0_;
  for (std::uint32_t i = 0; i < agents_.size(); ++i) connect_queue_.push_back(i);
  std::vector<epoll_event> events(1024);
  while (!stopping_.load()) {
    std::int64_t now = NowMs();
    PaceConnects(now);
    FireTimers(now);
    int timeout = NextWaitMs(NowMs());
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      RecordError("epoll_wait: " + std::string(std::strerror(errno)));
      break;
    }
    for (int k = 0; k < n; ++k) {
      std::uint64_t tag = events[static_cast<std::size_t>(k)].data.u64;
      auto index = static_cast<std::uint32_t>(tag & 0xFFFFFFFFu);
      if (index == kStopTag) continue;
      auto epoch = static_cast<std::uint32_t>(tag >> 32);
      if (agents_[index].epoch != epoch) continue;  // an event of a closed, older connection
      Drive(index, events[static_cast<std::size_t>(k)].events);
    }
  }
}

void Fleet::Loop::Stop() {
  stopping_.store(true);
  std::uint64_t one = 1;
  ssize_t w = write(stop_fd_, &one, sizeof(one));
  (void)w;
}

std::vector<std::string> Fleet::Loop::ErrorSamples() const {
  std::lock_guard<std::mutex> lock(errors_mu_);
  std::vector<std::string> out;
  for (const auto& [text, count] : errors_) out.push_back(std::to_string(count) + "x " + text);
  return out;
}

void Fleet::Loop::PaceConnects(std::int64_t now) {
  double burst = std::max(1.0, o_.connect_rate / 10);
  tokens_ = std::min(burst,
                     tokens_ + static_cast<double>(now - last_pace_ms_) * o_.connect_rate / 1000.0);
  last_pace_ms_ = now;
  while (tokens_ >= 1 && !connect_queue_.empty() && c_.in_flight.load() < o_.max_in_flight) {
    std::uint32_t i = connect_queue_.front();
    connect_queue_.pop_front();
    tokens_ -= 1;
    StartConnect(i);
  }
}

void Fleet::Loop::StartConnect(std::uint32_t i) {
  Agent& a = agents_[i];
  c_.connect_attempts.fetch_add(1);
  bool in_progress = false;
  Result<int> fd = StartTcpConnect(o_.endpoint, &in_progress);
  if (!fd.ok()) {
    c_.connect_errors.fetch_add(1);
    RecordError(fd.error().message());
    ScheduleReconnect(i, 5000);
    return;
  }
  a.fd = *fd;
  a.state = AgentState::kConnecting;
  c_.in_flight.fetch_add(1);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = (static_cast<std::uint64_t>(a.epoch) << 32) | i;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, a.fd, &ev) != 0) {
    RecordError("epoll_ctl: " + std::string(std::strerror(errno)));
    c_.connect_errors.fetch_add(1);
    Disconnect(i, 5000);
    return;
  }
  timers_.push({NowMs() + kConnectTimeoutMs, i, a.epoch, TimerKind::kConnectTimeout});
  if (!in_progress) Drive(i, EPOLLOUT);
}

void Fleet::Loop::Disconnect(std::uint32_t i, std::int64_t backoff_ms) {
  Agent& a = agents_[i];
  if (a.state == AgentState::kOpen) {
    c_.connected.fetch_sub(1);
    c_.disconnects.fetch_add(1);
  } else if (a.state != AgentState::kIdle) {
    c_.in_flight.fetch_sub(1);
  }
  if (a.ssl != nullptr) SSL_free(a.ssl);
  a.ssl = nullptr;
  if (a.fd >= 0) close(a.fd);
  a.fd = -1;
  std::string().swap(a.in);
  std::string().swap(a.out);
  std::string().swap(a.message);
  a.state = AgentState::kIdle;
  ++a.epoch;
  ERR_clear_error();
  ScheduleReconnect(i, backoff_ms);
}

void Fleet::Loop::ScheduleReconnect(std::uint32_t i, std::int64_t backoff_ms) {
  if (stopping_.load()) return;
  std::uniform_int_distribution<std::int64_t> jitter(0, 4000);
  timers_.push({NowMs() + backoff_ms + jitter(rng_), i, agents_[i].epoch, TimerKind::kReconnect});
}

void Fleet::Loop::Drive(std::uint32_t i, std::uint32_t events) {
  Agent& a = agents_[i];
  const std::uint32_t epoch = a.epoch;
  if (a.state == AgentState::kConnecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(a.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
      c_.connect_errors.fetch_add(1);
      RecordError("connect to " + o_.endpoint.host_header + ": " +
                  std::strerror(err != 0 ? err : ECONNRESET));
      Disconnect(i, 2000);
      return;
    }
    if ((events & EPOLLOUT) == 0) return;
    a.ssl = o_.tls->NewSsl(a.fd);
    if (a.ssl == nullptr) {
      c_.tls_errors.fetch_add(1);
      RecordError("SSL_new: " + DrainSslErrors());
      Disconnect(i, 5000);
      return;
    }
    a.state = AgentState::kHandshaking;
  }
  if (a.state == AgentState::kHandshaking) {
    int r = SSL_do_handshake(a.ssl);
    if (r != 1) {
      int e = SSL_get_error(a.ssl, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
      c_.tls_errors.fetch_add(1);
      RecordError("TLS handshake: " + (e == SSL_ERROR_SYSCALL && errno != 0
                                           ? std::string(std::strerror(errno))
                                           : DrainSslErrors()));
      Disconnect(i, 2000);
      return;
    }
    if (Status s = o_.tls->CheckPeer(a.ssl); !s.ok()) {
      c_.tls_errors.fetch_add(1);
      RecordError(s.message());
      Disconnect(i, 30000);
      return;
    }
    a.message = MakeWsKey();
    a.out = WsUpgradeRequest(o_.endpoint.host_header, wire::kChannelPath,
                             wire::FormatAgentAuthorization(ids_[i].host_id, ids_[i].secret),
                             a.message);
    a.state = AgentState::kUpgrading;
  }
  // Upgrading or open: write what is queued, then read what arrived (which may queue more).
  if (!Flush(i)) return;
  bool eof = false;
  if (!ReadAvailable(i, &eof)) return;
  if (a.epoch != epoch) return;
  if (!Process(i)) return;
  if (eof) {
    Disconnect(i, 1000);
    return;
  }
  Flush(i);
}

bool Fleet::Loop::Flush(std::uint32_t i) {
  Agent& a = agents_[i];
  while (!a.out.empty()) {
    int n = SSL_write(a.ssl, a.out.data(),
                      static_cast<int>(std::min<std::size_t>(a.out.size(), std::size_t{1} << 20)));
    if (n > 0) {
      a.out.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    int e = SSL_get_error(a.ssl, n);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return true;
    RecordError("write: " + (e == SSL_ERROR_SYSCALL && errno != 0
                                 ? std::string(std::strerror(errno))
                                 : DrainSslErrors()));
    Disconnect(i, 1000);
    return false;
  }
  Release(a.out);
  return true;
}

bool Fleet::Loop::ReadAvailable(std::uint32_t i, bool* eof) {
  Agent& a = agents_[i];
  for (;;) {
    int n = SSL_read(a.ssl, read_buf_, sizeof(read_buf_));
    if (n > 0) {
      a.in.append(read_buf_, static_cast<std::size_t>(n));
      if (a.in.size() > kMaxMessage + 64) {
        c_.protocol_errors.fetch_add(1);
        RecordError("more than 4 MB of unparsed data from the server");
        Disconnect(i, 1000);
        return false;
      }
      continue;
    }
    int e = SSL_get_error(a.ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0)) {
      *eof = true;
      if (a.state != AgentState::kOpen) RecordError("server closed the connection before 101");
      ERR_clear_error();
      return true;
    }
    if (a.state == AgentState::kOpen) {
      RecordError("read: " +
                  (e == SSL_ERROR_SYSCALL ? std::string(std::strerror(errno)) : DrainSslErrors()));
    } else {
      c_.connect_errors.fetch_add(1);
      RecordError("read before 101: " +
                  (e == SSL_ERROR_SYSCALL ? std::string(std::strerror(errno)) : DrainSslErrors()));
    }
    Disconnect(i, 1000);
    return false;
  }
}

bool Fleet::Loop::Process(std::uint32_t i) {
  Agent& a = agents_[i];
  if (a.state == AgentState::kUpgrading) {
    auto head = ParseHttpHead(a.in);
    if (!head.ok()) return ProtocolError(i, head.error().message());
    if (!head->has_value()) return true;
    const HttpHead& h = **head;
    if (h.status != 101) {
      c_.upgrade_refused.fetch_add(1);
      std::string body = a.in.substr(h.head_bytes, 160);
      RecordError("upgrade refused: HTTP " + std::to_string(h.status) + " " + body);
      Disconnect(i, 10000);
      return false;
    }
    if (h.accept != WsAcceptFor(a.message)) {
      return ProtocolError(i, "Sec-WebSocket-Accept does not match the key");
    }
    a.in.erase(0, h.head_bytes);
    std::string().swap(a.message);
    OnOpen(i);
  }
  std::size_t pos = 0;
  while (pos < a.in.size()) {
    auto frame = ParseServerFrame(std::string_view(a.in).substr(pos), kMaxMessage);
    if (!frame.ok()) return ProtocolError(i, frame.error().message());
    if (!frame->has_value()) break;
    const WsFrame& f = **frame;
    pos += f.frame_bytes;
    c_.bytes_received.fetch_add(static_cast<std::int64_t>(f.payload.size()));
    switch (f.opcode) {
      case kWsPing:
        AppendClientFrame(a.out, kWsPong, f.payload, NextMask());
        break;
      case kWsPong:
        break;
      case kWsClose: {
        c_.server_closes.fetch_add(1);
        int code = f.payload.size() >= 2 ? (static_cast<unsigned char>(f.payload[0]) << 8) |
                                               static_cast<unsigned char>(f.payload[1])
                                         : 1005;
        RecordError("server closed the channel: code " + std::to_string(code) + " " +
                    std::string(f.payload.size() > 2 ? f.payload.substr(2) : ""));
        AppendClientFrame(a.out, kWsClose, f.payload.substr(0, 2), NextMask());
        Flush(i);
        if (a.state != AgentState::kIdle) Disconnect(i, 1000);
        return false;
      }
      case kWsContinuation:
      case kWsText:
      case kWsBinary:
        if (f.fin && a.message.empty() && f.opcode != kWsContinuation) {
          OnMessage(i, f.payload);
        } else {
          a.message.append(f.payload);
          if (a.message.size() > kMaxMessage) return ProtocolError(i, "message over 4 MB");
          if (f.fin) {
            std::string text;
            text.swap(a.message);
            OnMessage(i, text);
          }
        }
        break;
    }
  }
  a.in.erase(0, pos);
  Release(a.in);
  return true;
}

bool Fleet::Loop::ProtocolError(std::uint32_t i, const std::string& what) {
  c_.protocol_errors.fetch_add(1);
  RecordError("protocol: " + what);
  Disconnect(i, 5000);
  return false;
}

int Fleet::Loop::NextWaitMs(std::int64_t now) const {
  std::int64_t wait = 1000;
  if (!connect_queue_.empty() && c_.in_flight.load() < o_.max_in_flight) wait = 2;
  if (!timers_.empty()) wait = std::min(wait, std::max<std::int64_t>(0, timers_.top().at_ms - now));
  return static_cast<int>(wait);
}

void Fleet::Loop::RecordError(const std::string& text) {
  std::lock_guard<std::mutex> lock(errors_mu_);
  auto it = errors_.find(text);
  if (it != errors_.end()) {
    ++it->second;
  } else if (errors_.size() < 20) {
    errors_.emplace(text, 1);
  } else {
    ++errors_["(other messages)"];
  }
}

}  // namespace rampart::fleet
