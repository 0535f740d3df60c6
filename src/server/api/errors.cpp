#include "server/api/errors.h"

#include "common/json.h"
#include "common/logging.h"

namespace rampart::server::api {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kResourceExhausted:
      return 413;
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
      return 503;
    case Code::kDataLoss:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

net::HttpResponse HttpError(int http_status, std::string_view code, std::string message) {
  Json error = Json::MakeObject();
  error.Set("code", code);
  error.Set("message", std::move(message));
  Json body = Json::MakeObject();
  body.Set("error", std::move(error));
  net::HttpResponse response;
  response.status = http_status;
  response.body = body.Dump();
  response.headers.Add("cache-control", "no-store");
  return response;
}

net::HttpResponse ErrorResponse(const Status& status) {
  const int http_status = HttpStatusFor(status.code());
  if (status.ok()) {
    log::Error("api: ErrorResponse called with an OK status");
    return HttpError(500, "internal", "internal error");
  }
  std::string message = status.message();
  if (http_status == 500) {
    log::Error("api: internal error: {}", status.ToString());
    message = "internal error (details are in the server log)";
  } else if (http_status == 503) {
    log::Warn("api: unavailable: {}", status.ToString());
  }
  net::HttpResponse response = HttpError(http_status, CodeName(status.code()), std::move(message));
  if (status.code() == Code::kUnauthenticated) {
    response.headers.Add("www-authenticate", "Bearer realm=\"rampart\"");
  }
  return response;
}

}  // namespace rampart::server::api
