// Routing, HTTP-level errors, the Status -> HTTP mapping, body parsing and the OpenAPI document.
#include "server/api/router.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "server/api/api_test_support.h"
#include "server/api/errors.h"
#include "server/api/openapi.h"
#include "server/api/request.h"

namespace rampart::server::api {
namespace {

using testing::ApiFixture;
using testing::ErrorCode;
using testing::ErrorMessage;
using testing::ParseBody;

TEST(ApiErrors, MapsEveryStatusCodeToItsHttpStatus) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kDeadlineExceeded), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(Code::kDataLoss), 500);
}

TEST(ApiErrors, ErrorBodiesHaveCodeAndMessageAndHideInternalDetail) {
  net::HttpResponse bad = ErrorResponse(InvalidArgument("field 'x': required"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.content_type, "application/json");
  EXPECT_EQ(bad.body, R"({"error":{"code":"invalid_argument","message":"field 'x': required"}})");

  net::HttpResponse unauthenticated = ErrorResponse({Code::kUnauthenticated, "no"});
  EXPECT_EQ(unauthenticated.headers.Get("WWW-Authenticate").value_or(""),
            "Bearer realm=\"rampart\"");

  net::HttpResponse internal = ErrorResponse(Internal("sqlite: table hosts: disk I/O error"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(ErrorCode(internal), "internal");
  EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
}

TEST(ApiRequest, RecognisesJsonContentTypes) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(IsJsonContentType("application/merge-patch+json"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsJsonContentType(""));
}

class Router : public ApiFixture {};

TEST_F(Router, UnknownPathsAre404AndWrongMethodsAre405WithAllow) {
  for (const char* path : {"/api/v1/nothing", "/api/v1/hosts/", "/api/v2/hosts", "/other",
                           "/api/v1/hosts/x/y", "/api/v1"}) {
    net::HttpResponse response = Do("GET", path, viewer_);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(ErrorCode(response), "not_found") << path;
  }
  net::HttpResponse wrong = Do("PATCH", "/api/v1/hosts/h_1", admin_);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.Get("allow").value_or(""), "GET, DELETE");
  EXPECT_EQ(ErrorCode(wrong), "method_not_allowed");
  EXPECT_EQ(Do("POST", "/api/v1/settings", admin_, "{}").headers.Get("allow").value_or(""),
            "GET, PUT");
  // Route existence is not secret, so 405 comes before authentication.
  EXPECT_EQ(Do("DELETE", "/api/v1/me").status, 405);
}

TEST_F(Router, MalformedJsonIs400WithLineAndColumn) {
  net::HttpResponse response =
      Do("POST", "/api/v1/users", admin_, "{\n  \"name\": \"bob\",\n  \"role\": viewer\n}");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorCode(response), "invalid_argument");
  EXPECT_EQ(ErrorMessage(response).rfind("request body: line 3, column ", 0), 0U)
      << ErrorMessage(response);
}

TEST_F(Router, BodiesMustBeJsonSmallAndShallow) {
  net::HttpRequest form = Request("POST", "/api/v1/tokens", admin_);
  form.body = "role=admin";
  form.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  net::HttpResponse unsupported = router_->Handle(form);
  EXPECT_EQ(unsupported.status, 415);
  EXPECT_EQ(ErrorCode(unsupported), "unsupported_media_type");

  net::HttpRequest untyped = Request("POST", "/api/v1/tokens", admin_);
  untyped.body = R"({"role":"viewer"})";
  EXPECT_EQ(router_->Handle(untyped).status, 415);

  const std::string huge =
      R"({"settings":{},"pad":")" + std::string(kMaxJsonBodyBytes, 'x') + "\"}";
  net::HttpResponse too_big = Do("PUT", "/api/v1/settings", admin_, huge);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(ErrorCode(too_big), "resource_exhausted");

  std::string deep = R"({"settings":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  net::HttpResponse too_deep = Do("PUT", "/api/v1/settings", admin_, deep);
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_NE(ErrorMessage(too_deep).find("nested deeper than 32"), std::string::npos);

  net::HttpResponse empty = Do("POST", "/api/v1/users", admin_);
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(ErrorMessage(empty).find("empty body"), std::string::npos);
}

TEST_F(Router, RoutesWithoutQueryParametersRejectAny) {
  net::HttpResponse response = Do("GET", "/api/v1/me?verbose=1", viewer_);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorMessage(response), "unknown query parameter 'verbose' (accepted: none)");
}

TEST_F(Router, TheAgentChannelIsAWebSocketRoute) {
  net::HttpResponse response = Do("GET", "/api/v1/agent/channel");
  EXPECT_EQ(response.status, 426);
  EXPECT_EQ(response.headers.Get("upgrade").value_or(""), "websocket");
}

TEST_F(Router, ServesOpenApiWithoutATokenListingEveryRoute) {
  net::HttpResponse response = Do("GET", "/api/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  Json doc = ParseBody(response);
  EXPECT_EQ(doc.GetString("openapi"), "3.1.0");
  const Json* paths = doc.Find("paths");
  ASSERT_NE(paths, nullptr);
  std::set<std::string> operation_ids;
  for (const RouteInfo& route : router_->routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    const Json* path = paths->Find(route.pattern);
    ASSERT_NE(path, nullptr) << route.pattern;
    const Json* op = path->Find(method);
    ASSERT_NE(op, nullptr) << route.method << " " << route.pattern;
    EXPECT_EQ(op->GetString("x-rampart-min-role"), route.min_role);
    EXPECT_EQ(op->GetString("summary"), route.summary);
    EXPECT_TRUE(operation_ids.insert(op->GetString("operationId")).second);
    EXPECT_NE(op->Find("responses")->Find(std::to_string(route.success_status)), nullptr);
    if (ParseRole(route.min_role).ok()) {
      EXPECT_NE(op->Find("responses")->Find("401"), nullptr) << route.pattern;
    }
    if (route.pattern.find("{id}") != std::string::npos) {
      EXPECT_NE(op->Find("responses")->Find("404"), nullptr) << route.pattern;
    }
    for (const QueryParamInfo& q : route.query) {
      bool documented = false;
      for (const Json& p : op->Find("parameters")->as_array()) {
        documented = documented || (p.GetString("name") == q.name && p.GetString("in") == "query");
      }
      EXPECT_TRUE(documented) << route.pattern << " ?" << q.name;
    }
  }
  EXPECT_NE(paths->Find("/healthz"), nullptr);
  EXPECT_NE(paths->Find("/metrics"), nullptr);
  EXPECT_EQ(response.body, router_->openapi_json());
}

TEST_F(Router, EveryOpenApiReferenceResolves) {
  Json doc = OpenApiDocument(router_->routes());
  const Json* schemas = doc.Find("components")->Find("schemas");
  ASSERT_NE(schemas->Find("Settings"), nullptr);
  int refs = 0;
  std::function<void(const Json&)> walk = [&](const Json& node) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.as_object()) {
        if (key == "$ref") {
          const std::string prefix = "#/components/schemas/";
          ASSERT_EQ(value.as_string().rfind(prefix, 0), 0U) << value.as_string();
          EXPECT_NE(schemas->Find(value.as_string().substr(prefix.size())), nullptr)
              << value.as_string();
          ++refs;
        }
        walk(value);
      }
    } else if (node.is_array()) {
      for (const Json& item : node.as_array()) walk(item);
    }
  };
  walk(doc);
  EXPECT_GT(refs, 40);
}

TEST_F(Router, RouteTableHasEveryDocumentedRoute) {
  std::set<std::string> have;
  for (const RouteInfo& route : router_->routes()) have.insert(route.method + " " + route.pattern);
  for (const char* want : {"GET /api/v1/me",
                           "GET /api/v1/hosts",
                           "GET /api/v1/hosts/{id}",
                           "DELETE /api/v1/hosts/{id}",
                           "GET /api/v1/hosts/{id}/fingerprints/{category}",
                           "GET /api/v1/fingerprints/{category}",
                           "GET /api/v1/settings",
                           "PUT /api/v1/settings",
                           "GET /api/v1/users",
                           "POST /api/v1/users",
                           "GET /api/v1/users/{id}",
                           "DELETE /api/v1/users/{id}",
                           "GET /api/v1/tokens",
                           "POST /api/v1/tokens",
                           "DELETE /api/v1/tokens/{id}",
                           "GET /api/v1/enroll-tokens",
                           "POST /api/v1/enroll-tokens",
                           "DELETE /api/v1/enroll-tokens/{id}",
                           "POST /api/v1/agent/enroll",
                           "GET /api/v1/agent/channel",
                           "GET /api/v1/openapi.json"}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
  EXPECT_EQ(have.size(), router_->routes().size());  // no duplicates
}

}  // namespace
}  // namespace rampart::server::api
