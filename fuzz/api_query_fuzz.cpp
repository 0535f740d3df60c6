// Fuzzes the REST router on arbitrary request targets (path + query): GET requests with a valid
// admin token against a fixed in-memory tenant, so routing, percent-decoding, query checks,
// filters, sorting and cursors all see hostile text. GETs change nothing, so runs are
// deterministic. Every answer must be a known status with a JSON body.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/wire.h"
#include "net/http.h"
#include "server/api/router.h"
#include "server/service/api_auth.h"
#include "server/service/password_hash.h"
#include "server/storage/storage.h"

namespace {

using namespace rampart;          // NOLINT(google-build-using-namespace): fuzz driver
using namespace rampart::server;  // NOLINT(google-build-using-namespace)

struct Env {
  FakeClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1767225600))};
  std::unique_ptr<Storage> storage;
  std::unique_ptr<ApiAuthenticator> auth;
  std::unique_ptr<api::ApiRouter> router;
  std::string token;
};

void Must(bool ok) {
  if (!ok) std::abort();
}

Env* MakeEnv() {
  log::SetLevel(log::Level::kOff);
  SetArgon2Params({8, 1, 1});
  auto* env = new Env;
  auto storage = OpenStorage("sqlite://:memory:", "");
  Must(storage.ok());
  env->storage = std::move(*storage);
  auto tenant = env->storage->CreateTenant("fuzz", 1767225600);
  Must(tenant.ok());
  auto token = CreateApiToken(*env->storage, env->clock, tenant->id, "", Role::kAdmin, "", 0);
  Must(token.ok());
  env->token = token->second;
  EnrollTokenRecord enroll;
  enroll.tenant_id = tenant->id;
  enroll.secret_hash = "unused";
  auto stored = env->storage->CreateEnrollToken(enroll);
  Must(stored.ok());
  for (int i = 0; i < 3; ++i) {
    Host host;
    host.id = "h_fuzz" + std::to_string(i);
    host.machine_id = "m" + std::to_string(i);
    host.hostname = "host-" + std::to_string(i);
    host.ips = {"10.0.0." + std::to_string(i)};
    host.os_name = "debian";
    Must(env->storage->EnrollHost(stored->id, host, 1767225600 + i).ok());
    InventoryBatch batch;
    batch.idempotency_key = "k" + std::to_string(i);
    batch.version = 1;
    batch.full = true;
    batch.rows = {{"ports", {Json::Object{{"port", 6379 + i}, {"proto", "tcp"}}}},
                  {"accounts", {Json::Object{{"name", "root"}, {"uid", 0}}}}};
    Must(env->storage->ApplyInventory(host.id, batch, 1767225600).ok());
  }
  env->auth = std::make_unique<ApiAuthenticator>(env->storage.get(), &env->clock);
  api::ApiContext context;
  context.storage = env->storage.get();
  context.clock = &env->clock;
  context.auth = env->auth.get();
  env->router = std::make_unique<api::ApiRouter>(std::move(context));
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Env* env = MakeEnv();  // one tenant for the whole run; never freed
  std::string target(reinterpret_cast<const char*>(data), size);
  if (target.empty() || target[0] != '/') target = "/api/v1/" + target;
  net::HttpRequest request;
  request.method = "GET";
  request.target = target;
  if (!net::ParseTarget(target, request).ok()) return 0;
  request.headers.Add("Authorization", "Bearer " + env->token);
  const net::HttpResponse response = env->router->Handle(request);
  switch (response.status) {
    case 200:
    case 400:
    case 404:
    case 405:
    case 426:
      break;
    default:
      std::abort();  // 500s, 401s or anything else means a bug
  }
  Must(Json::Parse(response.body).ok());
  return 0;
}
