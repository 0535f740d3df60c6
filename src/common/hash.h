#pragma once
// SHA-256 (OpenSSL EVP) of files and buffers, as lower-case hex.

#include <string>
#include <string_view>

#include "common/status.h"

namespace rampart {

std::string Sha256Hex(std::string_view data);
// Hashes from the current offset to EOF of an open descriptor, in 128 KiB reads.
Result<std::string> Sha256HexFd(int fd);

}  // namespace rampart
