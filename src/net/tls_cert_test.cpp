#include "net/tls_cert.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rampart::net {
namespace {

class TlsCertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/tls_cert_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* f : {"/server.crt", "/server.key", "/other.crt", "/other.key"}) {
      std::remove((dir_ + f).c_str());
    }
    ::rmdir(dir_.c_str());
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_;
};

// The subjectAltName entries of a PEM certificate, as "DNS:x" / "IP:y".
std::vector<std::string> SubjectAltNames(const std::string& pem_path) {
  std::vector<std::string> out;
  FILE* f = std::fopen(pem_path.c_str(), "r");
  if (f == nullptr) return out;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      out.push_back(
          "DNS:" +
          std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                      static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      const int len = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      ::inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text,
                  sizeof(text));
      out.push_back(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  return out;
}

TEST_F(TlsCertTest, CreatesOnceThenReloadsWithTheSameFingerprint) {
  auto first = EnsureSelfSignedCertificate(dir_, {"localhost", "127.0.0.1"});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->cert_path, dir_ + "/server.crt");
  EXPECT_EQ(first->key_path, dir_ + "/server.key");
  ASSERT_EQ(first->sha256_hex.size(), 64u);
  EXPECT_EQ(first->sha256_hex.find_first_not_of("0123456789abcdef"), std::string::npos);

  const std::string pem = Read(first->cert_path);
  auto second = EnsureSelfSignedCertificate(dir_, {"other-name"});
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->sha256_hex, first->sha256_hex);
  EXPECT_EQ(Read(second->cert_path), pem);  // not regenerated

  auto loaded = LoadCertificate(first->cert_path, first->key_path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->sha256_hex, first->sha256_hex);
}

TEST_F(TlsCertTest, KeyFileIsPrivateAndCertificateIsReadable) {
  const mode_t old_umask = ::umask(0);  // the modes must not depend on the caller's umask
  auto cert = EnsureSelfSignedCertificate(dir_, {"localhost"});
  ::umask(old_umask);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(cert->key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(cert->cert_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(TlsCertTest, SubjectAltNameHoldsTheGivenDnsNamesAndIps) {
  auto cert =
      EnsureSelfSignedCertificate(dir_, {"rampart.example", "localhost", "127.0.0.1", "::1"});
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  EXPECT_EQ(
      SubjectAltNames(cert->cert_path),
      (std::vector<std::string>{"DNS:rampart.example", "DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
}

TEST_F(TlsCertTest, RejectsNamesThatAreNeitherHostNamesNorIps) {
  auto cert = EnsureSelfSignedCertificate(dir_, {"bad name,DNS:evil"});
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().code(), Code::kInvalidArgument);
  EXPECT_NE(cert.error().message().find("bad name,DNS:evil"), std::string::npos);
}

TEST_F(TlsCertTest, OneFileMissingIsAnErrorNamingIt) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(dir_, {"localhost"}).ok());
  const std::string key = Read(dir_ + "/server.key");
  ASSERT_EQ(std::remove((dir_ + "/server.key").c_str()), 0);
  auto r = EnsureSelfSignedCertificate(dir_, {"localhost"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(dir_ + "/server.key is missing"), std::string::npos)
      << r.error().message();

  Write(dir_ + "/server.key", key);
  ASSERT_EQ(std::remove((dir_ + "/server.crt").c_str()), 0);
  r = EnsureSelfSignedCertificate(dir_, {"localhost"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(dir_ + "/server.crt is missing"), std::string::npos)
      << r.error().message();
}

TEST_F(TlsCertTest, GarbagePemIsAnErrorNamingTheFile) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(dir_, {"localhost"}).ok());
  Write(dir_ + "/other.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");
  auto r = LoadCertificate(dir_ + "/other.crt", dir_ + "/server.key");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find(dir_ + "/other.crt"), std::string::npos)
      << r.error().message();

  Write(dir_ + "/other.key", "garbage");
  r = LoadCertificate(dir_ + "/server.crt", dir_ + "/other.key");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(dir_ + "/other.key"), std::string::npos)
      << r.error().message();

  // Garbage in the data dir itself is reported the same way by EnsureSelfSignedCertificate.
  Write(dir_ + "/server.crt", "garbage");
  r = EnsureSelfSignedCertificate(dir_, {"localhost"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(dir_ + "/server.crt"), std::string::npos);
}

TEST_F(TlsCertTest, KeyOfAnotherCertificateIsRejected) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(dir_, {"localhost"}).ok());
  std::string tmpl = ::testing::TempDir() + "/tls_cert_other_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  ASSERT_TRUE(EnsureSelfSignedCertificate(tmpl, {"localhost"}).ok());
  auto r = LoadCertificate(dir_ + "/server.crt", tmpl + "/server.key");
  std::remove((tmpl + "/server.crt").c_str());
  std::remove((tmpl + "/server.key").c_str());
  ::rmdir(tmpl.c_str());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("does not match"), std::string::npos) << r.error().message();
}

TEST_F(TlsCertTest, MissingFileIsNotFoundNamingIt) {
  auto r = LoadCertificate(dir_ + "/nope.crt", dir_ + "/nope.key");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find(dir_ + "/nope.crt"), std::string::npos);
}

}  // namespace
}  // namespace rampart::net
