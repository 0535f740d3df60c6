#include "cli/inventory_cmd.h"

#include "agent/collectors/registry.h"
#include "cli/table.h"
#include "common/logging.h"

namespace rampart::cli {

int RunInventory(const InventoryArgs& args, std::FILE* out) {
  auto collectors = agent::SelectCollectors(args.categories);
  if (!collectors) {
    std::fprintf(stderr, "rampart inventory: %s\n", collectors.error().message().c_str());
    return 2;
  }
  auto host = HostView::Open(args.root);
  if (!host) {
    std::fprintf(stderr, "rampart inventory: --root: %s\n", host.error().message().c_str());
    return 2;
  }
  agent::CollectOptions options;
  options.sample_interval = std::chrono::milliseconds(args.sample_ms);
  options.cache_dir = args.data_dir;
  const agent::CollectContext ctx{*host, SystemClock::Instance(), options};

  Json doc = Json::MakeObject();
  std::string text;
  for (auto& c : *collectors) {
    auto result = c->Collect(ctx);
    Json value = c->shape() == agent::Shape::kObject ? Json::MakeObject() : Json::MakeArray();
    if (result) {
      value = std::move(*result);
    } else {
      log::Warn("inventory: {}: {}", c->name(), result.error().ToString());
    }
    if (!args.json) {
      text += "== " + std::string(c->name());
      if (c->shape() == agent::Shape::kRows) text += " (" + std::to_string(value.size()) + ")";
      text += " ==\n";
      text += c->shape() == agent::Shape::kObject ? RenderObject(value)
                                                  : RenderTable(value, c->schema());
      text += "\n";
    }
    doc.Set(c->name(), std::move(value));
  }
  if (args.json) text = doc.Dump(2) + "\n";
  std::fputs(text.c_str(), out);
  return 0;
}

}  // namespace rampart::cli
