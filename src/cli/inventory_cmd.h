#pragma once
// `rampart inventory`: collect fingerprints of a host and print them as tables or one JSON
// document.

#include <cstdio>
#include <string>

namespace rampart::cli {

struct InventoryArgs {
  std::string categories;  // comma-separated; empty = all
  std::string root = "/";  // host root (a mounted image or a fixture)
  std::string data_dir;    // caches (executable hashes); empty = none
  bool json = false;
  int sample_ms = 250;  // CPU sampling interval on a live host
};

// Returns the process exit code: 0 ok, 2 bad arguments (unknown category, bad root).
int RunInventory(const InventoryArgs& args, std::FILE* out);

}  // namespace rampart::cli
