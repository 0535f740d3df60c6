#include "server/service/baseline_protocol.h"

#include <algorithm>
#include <set>

#include "server/service/protocol_fields.h"

namespace rampart::server {
namespace {

// Multi-line text from the agent: control characters other than \n and \t replaced, cut at
// `max` bytes (on a UTF-8 boundary) with a marker.
std::string CleanText(std::string_view s, std::size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back((c < 0x20 && ch != '\n' && ch != '\t') || c == 0x7f ? '?' : ch);
  }
  if (out.size() > max) {
    std::size_t cut = max - 16;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += " ...[truncated]";
  }
  return out;
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (s == o) return true;
  }
  return false;
}

Status ParseOne(const Json& item, BaselineCheckResult* out) {
  if (!item.is_object()) return InvalidArgument("expected an object");
  const Json* id = item.Find("id");
  if (id == nullptr || !id->is_string() || !IsBaselineId(id->as_string())) {
    return InvalidArgument("id: expected 1..128 characters of [A-Za-z0-9._-]");
  }
  out->check_id = id->as_string();
  const Json* title = item.Find("title");
  if (title != nullptr && !title->is_null()) {
    if (!title->is_string() || title->as_string().size() > 1024 || HasControl(title->as_string())) {
      return InvalidArgument(
          "title: expected a string of at most 1024 bytes without control "
          "characters");
    }
    out->title = title->as_string();
  }
  const Json* level = item.Find("level");
  if (level == nullptr || !level->is_string() ||
      !OneOf(level->as_string(), {"low", "medium", "high"})) {
    return InvalidArgument("level: expected low, medium or high");
  }
  out->level = level->as_string();
  const Json* status = item.Find("status");
  if (status == nullptr || !status->is_string() ||
      !OneOf(status->as_string(), {"pass", "fail", "not_applicable", "error"})) {
    return InvalidArgument("status: expected pass, fail, not_applicable or error");
  }
  out->status = status->as_string();
  struct Text {
    std::string_view name;
    std::size_t max;
    std::string* target;
  };
  // remediation: as `rampart baseline --json` prints it, {"advice", "command"|null}, or a string.
  if (const Json* rem = item.Find("remediation"); rem != nullptr && rem->is_object()) {
    const Json* advice = rem->Find("advice");
    const Json* command = rem->Find("command");
    if ((advice != nullptr && !advice->is_null() && !advice->is_string()) ||
        (command != nullptr && !command->is_null() && !command->is_string())) {
      return InvalidArgument(
          "remediation: expected {\"advice\": string, \"command\": string|null}");
    }
    if (advice != nullptr && advice->is_string()) {
      out->remediation = CleanText(advice->as_string(), kMaxBaselineRemediation);
    }
    if (command != nullptr && command->is_string()) {
      out->remediation_command = CleanText(command->as_string(), kMaxBaselineRemediation);
    }
  } else if (rem != nullptr && !rem->is_null()) {
    if (!rem->is_string()) return InvalidArgument("remediation: expected an object or a string");
    out->remediation = CleanText(rem->as_string(), kMaxBaselineRemediation);
  }
  for (const Text& t : {Text{"evidence", kMaxBaselineEvidence, &out->evidence}}) {
    const Json* value = item.Find(t.name);
    if (value == nullptr || value->is_null()) continue;
    if (!value->is_string()) return InvalidArgument(std::string(t.name) + ": expected a string");
    *t.target = CleanText(value->as_string(), t.max);
  }
  const Json* refs = item.Find("references");
  if (refs != nullptr && !refs->is_null()) {
    auto bad = [] {
      return InvalidArgument(
          "references: expected an array of at most 64 strings of at most 256 "
          "bytes without control characters");
    };
    if (!refs->is_array() || refs->size() > kMaxBaselineReferences) return bad();
    for (const Json& r : refs->as_array()) {
      if (!r.is_string() || r.as_string().size() > 256 || HasControl(r.as_string())) return bad();
      out->references.push_back(r.as_string());
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsBaselineId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<ParsedBaselineResults> ParseBaselineResults(std::string_view key, const Json& payload) {
  auto fail = [](std::string what) {
    return InvalidArgument("baseline_results batch: " + std::move(what));
  };
  if (!payload.is_object()) return fail("expected an object payload");
  ParsedBaselineResults out;
  BaselineResultsBatch& batch = out.batch;
  batch.idempotency_key = std::string(key);
  const Json* run = payload.Find("run_id");
  if (run != nullptr && !run->is_null()) {
    bool ok = run->is_string() && run->as_string().size() <= 64;
    if (ok) {
      for (char c : run->as_string()) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '-';
        ok = ok && allowed;
      }
    }
    if (!ok) return fail("run_id: expected at most 64 characters of [A-Za-z0-9_-]");
    batch.run_id = run->as_string();
  }
  const Json* policy = payload.Find("policy");
  if (policy == nullptr || !policy->is_object()) {
    return fail("policy: expected an object {\"id\",\"name\",\"score\"}");
  }
  const Json* id = policy->Find("id");
  if (id == nullptr || !id->is_string() || !IsBaselineId(id->as_string())) {
    return fail("policy.id: expected 1..128 characters of [A-Za-z0-9._-]");
  }
  batch.policy_id = id->as_string();
  const Json* name = policy->Find("name");
  if (name != nullptr && !name->is_null()) {
    if (!name->is_string() || name->as_string().size() > 255 || HasControl(name->as_string())) {
      return fail(
          "policy.name: expected a string of at most 255 bytes without control "
          "characters");
    }
    batch.policy_name = name->as_string();
  }
  const Json* score = policy->Find("score");
  if (score != nullptr && !score->is_null()) {
    if (!score->is_int() || score->as_int() < 0 || score->as_int() > 100) {
      return fail("policy.score: expected an integer 0..100");
    }
    batch.score = score->as_int();
  }
  const Json* results = payload.Find("results");
  if (results == nullptr || !results->is_array() || results->size() > kMaxBaselineResultsPerBatch) {
    return fail("results: expected an array of at most " +
                std::to_string(kMaxBaselineResultsPerBatch) + " results");
  }
  std::set<std::string> seen;
  const auto& items = results->as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    BaselineCheckResult r;
    Status status = ParseOne(items[i], &r);
    if (status.ok() && !seen.insert(r.check_id).second) {
      status = InvalidArgument("id: " + r.check_id + " appears twice");
    }
    if (!status.ok()) {
      out.rejected.push_back("results[" + std::to_string(i) + "]: " + status.message());
      continue;
    }
    batch.results.push_back(std::move(r));
  }
  return out;
}

}  // namespace rampart::server
