#pragma once
// Human-readable rendering of collector output: an object as "key: value" lines, rows as an aligned
// table of the schema's table columns. Cells are single-line, control characters replaced, long
// cells cut with "…".

#include <span>
#include <string>

#include "agent/collectors/collector.h"
#include "common/json.h"

namespace rampart::cli {

std::string RenderObject(const Json& obj);
std::string RenderTable(const Json& rows, std::span<const agent::Field> schema,
                        std::size_t max_cell = 48);
// A cell's text: strings as is, arrays joined with ",", null as "-".
std::string CellText(const Json& v);

}  // namespace rampart::cli
