// Self-signed server certificates and their fingerprints, with OpenSSL 3 directly (no Boost).
#include "net/tls_cert.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "common/files.h"
#include "common/hash.h"

namespace rampart::net {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using NamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600 + 3 * 24 * 3600;  // 10 years + leap days

// The most recent OpenSSL error as text (and clears the queue).
std::string OpenSslError() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(last, buf, sizeof(buf));
  return buf;
}

Status SslFailure(std::string_view what) {
  return Internal(std::string(what) + ": " + OpenSslError());
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 || errno != ENOENT;
}

std::string Fingerprint(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  return Sha256Hex(der);
}

// subjectAltName entries: IP literals as iPAddress, everything else as dNSName.
Result<NamesPtr> SubjectAltNames(const std::vector<std::string>& names) {
  NamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) return SslFailure("allocating subjectAltName");
  for (const std::string& name : names) {
    in6_addr v6{};
    in_addr v4{};
    const bool is_ip = ::inet_pton(AF_INET, name.c_str(), &v4) == 1 ||
                       ::inet_pton(AF_INET6, name.c_str(), &v6) == 1;
    NamePtr gen;
    if (is_ip) {
      gen.reset(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_IPADD, name.c_str(), 0));
      if (!gen) return SslFailure("subjectAltName IP " + name);
    } else {
      if (name.empty()) return InvalidArgument("certificate names: empty host name");
      for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '*';
        if (!ok) {
          return InvalidArgument("certificate names: \"" + name +
                                 "\" is neither an IP address nor a DNS name");
        }
      }
      gen.reset(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_DNS, name.c_str(), 0));
      if (!gen) return SslFailure("subjectAltName DNS " + name);
    }
    if (sk_GENERAL_NAME_push(gens.get(), gen.get()) == 0) return SslFailure("subjectAltName");
    gen.release();  // owned by the stack now
  }
  return gens;
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return SslFailure(std::string("certificate extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

Result<X509Ptr> MakeCertificate(EVP_PKEY* key, const std::vector<std::string>& names) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return SslFailure("X509_new");

  // A random positive 127-bit serial, as RFC 5280 recommends for uniqueness without state.
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return SslFailure("RAND_bytes");
  serial_bytes[0] &= 0x7f;
  serial_bytes[0] |= 0x40;  // never zero, never negative
  BnPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    return SslFailure("certificate serial");
  }

  // Valid from an hour ago so agents with a slightly slow clock accept it at once.
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds)) {
    return SslFailure("certificate validity");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("rampart"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return SslFailure("certificate subject");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RAMPART_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RAMPART_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyAgreement"));
  RAMPART_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  RAMPART_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (!names.empty()) {
    RAMPART_ASSIGN_OR_RETURN(NamesPtr gens, SubjectAltNames(names));
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) !=
        1) {
      return SslFailure("subjectAltName");
    }
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return SslFailure("signing the certificate");
  return cert;
}

}  // namespace

Result<TlsCertificate> LoadCertificate(const std::string& cert_path, const std::string& key_path) {
  RAMPART_ASSIGN_OR_RETURN(std::string cert_pem, ReadLocalFile(cert_path, 1 << 20));
  RAMPART_ASSIGN_OR_RETURN(std::string key_pem, ReadLocalFile(key_path, 1 << 20));

  ERR_clear_error();
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    return InvalidArgument(cert_path + ": not a PEM certificate (" + OpenSslError() + ")");
  }
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  // An empty passphrase callback result: encrypted keys fail instead of prompting on a terminal.
  auto no_passphrase = [](char*, int, int, void*) -> int { return 0; };
  PkeyPtr key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr)
                      : nullptr);
  if (!key) {
    return InvalidArgument(key_path + ": not an unencrypted PEM private key (" + OpenSslError() +
                           ")");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument(key_path + ": private key does not match the certificate " + cert_path);
  }
  TlsCertificate out;
  out.cert_path = cert_path;
  out.key_path = key_path;
  out.sha256_hex = Fingerprint(cert.get());
  if (out.sha256_hex.empty()) return SslFailure(cert_path + ": encoding the certificate");
  return out;
}

Result<TlsCertificate> EnsureSelfSignedCertificate(const std::string& dir,
                                                   const std::vector<std::string>& names) {
  const std::string cert_path = dir + "/server.crt";
  const std::string key_path = dir + "/server.key";
  const bool have_cert = FileExists(cert_path);
  const bool have_key = FileExists(key_path);
  if (have_cert && have_key) return LoadCertificate(cert_path, key_path);
  if (have_cert != have_key) {
    const std::string& missing = have_cert ? key_path : cert_path;
    const std::string& present = have_cert ? cert_path : key_path;
    return FailedPrecondition(missing + " is missing but " + present +
                              " exists; restore it, or remove both to make a new certificate");
  }

  RAMPART_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  ERR_clear_error();
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return SslFailure("generating an EC P-256 key");
  RAMPART_ASSIGN_OR_RETURN(X509Ptr cert, MakeCertificate(key.get(), names));

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return SslFailure("encoding the certificate and key as PEM");
  }
  std::string key_pem = BioToString(key_bio.get());
  // The key goes first: a certificate on disk always has its key beside it.
  Status written = WriteFileAtomic(key_path, key_pem, 0600);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  RAMPART_RETURN_IF_ERROR(written);
  // WriteFileAtomic's mode goes through the umask; the key must be exactly 0600.
  if (::chmod(key_path.c_str(), 0600) != 0) return ErrnoStatus(errno, "chmod " + key_path);
  RAMPART_RETURN_IF_ERROR(WriteFileAtomic(cert_path, BioToString(cert_bio.get()), 0644));
  ::chmod(cert_path.c_str(), 0644);
  return LoadCertificate(cert_path, key_path);
}

}  // namespace rampart::net
