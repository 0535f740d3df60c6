#pragma once
// Server certificates: the self-signed certificate `rampart server` makes on first start, and the
// fingerprint that enrolment tokens carry so agents can pin it. OpenSSL only, no Boost.

#include <string>
#include <vector>

#include "common/status.h"

namespace rampart::net {

struct TlsCertificate {
  std::string cert_path;   // PEM
  std::string key_path;    // PEM, mode 0600
  std::string sha256_hex;  // SHA-256 of the certificate's DER, lower-case hex
};

// Loads DIR/server.crt + DIR/server.key, or creates them (EC P-256, 10 years, subjectAltName with
// `names`: DNS names and IP addresses, e.g. the host name, localhost, 127.0.0.1, ::1) when both
// are missing. One missing, or unreadable/mismatched files: an error naming the file.
Result<TlsCertificate> EnsureSelfSignedCertificate(const std::string& dir,
                                                   const std::vector<std::string>& names);
// Reads a PEM certificate (and checks that the key matches it). For user-supplied certificates.
Result<TlsCertificate> LoadCertificate(const std::string& cert_path, const std::string& key_path);

}  // namespace rampart::net
