#pragma once
// The one place that turns errors into HTTP responses. Every error body has the shape
// {"error":{"code":"invalid_argument","message":"..."}}.

#include <string>
#include <string_view>

#include "common/status.h"
#include "net/http.h"

namespace rampart::server::api {

// HTTP status for a Status code: InvalidArgument 400, Unauthenticated 401, PermissionDenied 403,
// NotFound 404, AlreadyExists and FailedPrecondition 409, ResourceExhausted 413, Unavailable and
// DeadlineExceeded 503, anything else 500.
int HttpStatusFor(Code code);

// The error response for a non-OK status. Unauthenticated adds "WWW-Authenticate: Bearer". For
// 5xx other than 503 the client gets a generic message and the detail goes to the log (it may
// name tables, paths or library internals).
net::HttpResponse ErrorResponse(const Status& status);

// An error that is about HTTP itself rather than a Status (unknown route 404, 405, 415, 426),
// with `code` the stable lower-case error code.
net::HttpResponse HttpError(int http_status, std::string_view code, std::string message);

}  // namespace rampart::server::api
