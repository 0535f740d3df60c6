#pragma once
// The OpenAPI 3.1 document of the REST API: paths generated from the route table (every route
// appears, with its role, parameters and responses), schemas written by hand here and the
// settings schema generated from settings_schema.h.

#include <vector>

#include "common/json.h"
#include "server/api/router.h"

namespace rampart::server::api {

Json OpenApiDocument(const std::vector<RouteInfo>& routes);

}  // namespace rampart::server::api
