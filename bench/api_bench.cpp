// REST API hot paths on 10,000 hosts (SQLite: in memory, and a WAL file in a temp dir):
//   BM_ListHosts            GET /api/v1/hosts?limit=50 through ApiRouter::Handle, cached token
//   BM_ListHostsDeepPage    the same, 100 pages in (cursor), sorted by -last_seen, status filter
//   BM_GetHost              GET /api/v1/hosts/{id} (host + fingerprint counts)
//   BM_AuthCacheHit         ApiAuthenticator::Authenticate with the verification cached
//   BM_AuthArgon2Miss       the same with no cache: one argon2id verification (default cost)
// Tokens are made with the default argon2id cost (m=19 MiB, t=2), as in production.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/wire.h"
#include "net/http.h"
#include "server/api/router.h"
#include "server/service/api_auth.h"
#include "server/storage/storage.h"

namespace rampart::server {
namespace {

constexpr int kHosts = 10000;
constexpr std::int64_t kStart = 1767225600;

struct World {
  FakeClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(kStart))};
  std::unique_ptr<Storage> storage;
  std::unique_ptr<ApiAuthenticator> auth;
  std::unique_ptr<api::ApiRouter> router;
  std::string token;
  std::string host_id;
  std::string deep_cursor;
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "api_bench: %s failed\n", what);
    std::abort();
  }
}

net::HttpRequest Get(const World& w, const std::string& target) {
  net::HttpRequest request;
  request.method = "GET";
  request.target = target;
  Check(net::ParseTarget(target, request).ok(), "ParseTarget");
  request.headers.Add("Authorization", "Bearer " + w.token);
  return request;
}

World* MakeWorld(const std::string& url) {
  auto* w = new World;
  const auto start = std::chrono::steady_clock::now();
  auto storage = OpenStorage(url, "");
  Check(storage.ok(), "OpenStorage");
  w->storage = std::move(*storage);
  auto tenant = w->storage->CreateTenant("bench", kStart);
  Check(tenant.ok(), "CreateTenant");
  auto token = CreateApiToken(*w->storage, w->clock, tenant->id, "", Role::kViewer, "", 0);
  Check(token.ok(), "CreateApiToken");
  w->token = token->second;
  EnrollTokenRecord enroll;
  enroll.tenant_id = tenant->id;
  enroll.secret_hash = "unused";
  auto stored = w->storage->CreateEnrollToken(enroll);
  Check(stored.ok(), "CreateEnrollToken");
  for (int i = 0; i < kHosts; ++i) {
    Host host;
    host.id = wire::RandomId("h");
    host.machine_id = "machine-" + std::to_string(i);
    host.hostname = "host-" + std::to_string(i);
    host.ips = {"10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256)};
    host.os_name = i % 3 == 0 ? "ubuntu" : "debian";
    host.os_version = "12";
    host.machine_type = "VM";
    host.agent_version = "0.1.0";
    auto enrolled = w->storage->EnrollHost(stored->id, host, kStart + i);
    Check(enrolled.ok(), "EnrollHost");
    if (i == kHosts / 2) w->host_id = enrolled->id;
  }
  w->auth = std::make_unique<ApiAuthenticator>(w->storage.get(), &w->clock);
  api::ApiContext context;
  context.storage = w->storage.get();
  context.clock = &w->clock;
  context.auth = w->auth.get();
  w->router = std::make_unique<api::ApiRouter>(std::move(context));

  std::string target = "/api/v1/hosts?limit=50&status=ONLINE&sort=-last_seen";
  for (int page = 0; page < 100; ++page) {
    auto response = w->router->Handle(Get(*w, target));
    Check(response.status == 200, "paging");
    auto body = Json::Parse(response.body);
    Check(body.ok() && body->Find("next_cursor")->is_string(), "next_cursor");
    w->deep_cursor = body->GetString("next_cursor");
    target = "/api/v1/hosts?limit=50&status=ONLINE&sort=-last_seen&cursor=" +
             net::PercentEncode(w->deep_cursor);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "api_bench: %s: %d hosts set up in %.1f s\n", url.c_str(), kHosts, seconds);
  return w;
}

World& Memory() {
  static World* w = MakeWorld("sqlite://:memory:");
  return *w;
}

std::filesystem::path& FileDir() {
  static std::filesystem::path dir;
  return dir;
}

World& File() {
  static World* w = [] {
    FileDir() =
        std::filesystem::temp_directory_path() / ("rampart-api-bench-" + wire::RandomId("d"));
    std::filesystem::create_directories(FileDir());
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(FileDir(), ignored);
    });
    return MakeWorld("sqlite://" + (FileDir() / "bench.db").string());
  }();
  return *w;
}

World& Pick(const benchmark::State& state) { return state.range(0) == 0 ? Memory() : File(); }

void Serve(benchmark::State& state, const World& w, const net::HttpRequest& request) {
  for (auto _ : state) {
    net::HttpResponse response = w.router->Handle(request);
    if (response.status != 200) {
      state.SkipWithError(("status " + std::to_string(response.status)).c_str());
      break;
    }
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ListHosts(benchmark::State& state) {
  World& w = Pick(state);
  Serve(state, w, Get(w, "/api/v1/hosts?limit=50"));
}
BENCHMARK(BM_ListHosts)->ArgName("file")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ListHosts)
    ->ArgName("file")
    ->Arg(0)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_ListHostsDeepPage(benchmark::State& state) {
  World& w = Pick(state);
  Serve(state, w,
        Get(w, "/api/v1/hosts?limit=50&status=ONLINE&sort=-last_seen&cursor=" +
                   net::PercentEncode(w.deep_cursor)));
}
BENCHMARK(BM_ListHostsDeepPage)->ArgName("file")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_GetHost(benchmark::State& state) {
  World& w = Pick(state);
  Serve(state, w, Get(w, "/api/v1/hosts/" + w.host_id));
}
BENCHMARK(BM_GetHost)->ArgName("file")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_AuthCacheHit(benchmark::State& state) {
  World& w = Memory();
  const net::HttpRequest request = Get(w, "/api/v1/me");
  for (auto _ : state) {
    auto principal = w.auth->Authenticate(request);
    if (!principal.ok()) {
      state.SkipWithError("authentication failed");
      break;
    }
    benchmark::DoNotOptimize(principal->role);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthCacheHit)->Unit(benchmark::kMicrosecond);

void BM_AuthArgon2Miss(benchmark::State& state) {
  World& w = Memory();
  ApiAuthenticator uncached(w.storage.get(), &w.clock, {.cache_capacity = 0, .cache_ttl = {}});
  const net::HttpRequest request = Get(w, "/api/v1/me");
  for (auto _ : state) {
    auto principal = uncached.Authenticate(request);
    if (!principal.ok()) {
      state.SkipWithError("authentication failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthArgon2Miss)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::server
