// Fuzzes btmp/wtmp/lastlog as login events: the file sanity check and the record -> event mapping
// (what `rampart logscan` and the login monitor do with each record).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/sources/login_records_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rampart::agent;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const FileName file("btmp");
  for (BinaryLog kind : {BinaryLog::kBtmp, BinaryLog::kWtmp, BinaryLog::kLastlog}) {
    (void)CheckBinaryLog("fuzz", kind, bytes, size);
  }
  std::uint64_t index = 0;
  for (std::size_t off = 0; off + kUtmpRecordSize <= size; off += kUtmpRecordSize) {
    ++index;
    auto record = ParseUtmpRecord(bytes.substr(off, kUtmpRecordSize));
    if (!record) continue;
    (void)UtmpRecordEvent(*record, BinaryLog::kBtmp, file, index);
    (void)UtmpRecordEvent(*record, BinaryLog::kWtmp, file, index);
  }
  return 0;
}
