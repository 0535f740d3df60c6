// Replays a fuzz target's corpus (files or directories given as arguments) through
// LLVMFuzzerTestOneInput, so every input that once found a bug runs as a regression test in every
// build.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int RunFile(const std::filesystem::path& p) {
  // stdio rather than istreambuf_iterator: GCC 12 -O2 raises a false -Wnull-dereference on the
  // latter.
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return 1;
  }
  std::string data;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  std::fclose(f);
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg)) {
        if (!e.is_regular_file()) continue;
        if (RunFile(e.path()) != 0) return 1;
        ++files;
      }
    } else {
      if (RunFile(arg) != 0) return 1;
      ++files;
    }
  }
  // Also the edge cases every parser must survive.
  LLVMFuzzerTestOneInput(nullptr, 0);
  const std::uint8_t zeros[4096] = {};
  LLVMFuzzerTestOneInput(zeros, sizeof zeros);
  std::printf("replayed %d inputs\n", files);
  return files > 0 ? 0 : 1;
}
