#include "agent/sources/sshd_messages.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

std::string TypeName(AuthMessageType t) {
  switch (t) {
    case AuthMessageType::kNone:
      return "none";
    case AuthMessageType::kFailure:
      return "failure";
    case AuthMessageType::kDeferred:
      return "deferred";
    case AuthMessageType::kPam:
      return "pam";
    case AuthMessageType::kPamMore:
      return "pam_more";
    case AuthMessageType::kAnnounce:
      return "announce";
    case AuthMessageType::kPreauth:
      return "preauth";
    case AuthMessageType::kSuccess:
      return "success";
    case AuthMessageType::kConnect:
      return "connect";
    case AuthMessageType::kClose:
      return "close";
    case AuthMessageType::kSummary:
      return "summary";
  }
  return "?";
}

// "type kind user=U source=S port=P[ xN][ invalid][ closes]"
std::string D(const AuthMessage& m) {
  if (m.type == AuthMessageType::kNone) return "none";
  std::string s = TypeName(m.type) + " " + std::string(m.kind) + " user=" + std::string(m.user) +
                  " source=" + std::string(m.source) + " port=" + std::to_string(m.port);
  if (m.attempts != 1) s += " x" + std::to_string(m.attempts);
  if (m.invalid_user) s += " invalid";
  if (m.closes) s += " closes";
  return s;
}

std::string Sshd(std::string_view msg) { return D(ParseSshdMessage(msg)); }

TEST(SshdMessages, FailedPasswordVariants) {
  EXPECT_EQ(Sshd("Failed password for root from 203.0.113.5 port 50022 ssh2"),
            "failure password user=root source=203.0.113.5 port=50022");
  EXPECT_EQ(Sshd("Failed password for root from 203.0.113.5 port 50022"),
            "failure password user=root source=203.0.113.5 port=50022");
  EXPECT_EQ(Sshd("Failed password for root from 203.0.113.5"),
            "failure password user=root source=203.0.113.5 port=0");
  EXPECT_EQ(Sshd("Failed password for invalid user admin from 2001:db8::1 port 22 ssh2"),
            "failure password user=admin source=2001:db8::1 port=22 invalid");
  EXPECT_EQ(Sshd("Failed password for illegal user test from ::ffff:10.1.2.3 port 2201 ssh2"),
            "failure password user=test source=::ffff:10.1.2.3 port=2201 invalid");
  EXPECT_EQ(Sshd("Failed password for root from scanner.example.net port 1 ssh2"),
            "failure password user=root source=scanner.example.net port=1");
  EXPECT_EQ(Sshd("Failed password for root from 1.2.3.4 port 22 ssh1"),
            "failure password user=root source=1.2.3.4 port=22");
  EXPECT_EQ(Sshd("Failed password for root from 1.2.3.4 port 22 ssh2 [preauth]"),
            "failure password user=root source=1.2.3.4 port=22");
}

TEST(SshdMessages, OtherMethods) {
  EXPECT_EQ(Sshd("Failed keyboard-interactive/pam for root from 1.2.3.4 port 22 ssh2"),
            "failure keyboard-interactive user=root source=1.2.3.4 port=22");
  EXPECT_EQ(
      Sshd("Failed keyboard-interactive/pam for invalid user oracle from 1.2.3.4 port 22 ssh2"),
      "failure keyboard-interactive user=oracle source=1.2.3.4 port=22 invalid");
  EXPECT_EQ(Sshd("Failed publickey for deploy from 1.2.3.4 port 22 ssh2: RSA SHA256:abcDEF+/x"),
            "deferred publickey user=deploy source=1.2.3.4 port=22");
  EXPECT_EQ(Sshd("Failed publickey for deploy from 1.2.3.4 port 22 ssh2"),
            "deferred publickey user=deploy source=1.2.3.4 port=22");
  EXPECT_EQ(Sshd("Failed hostbased for web from 1.2.3.4 port 22 ssh2: ECDSA SHA256:x, client "
                 "user \"web\", client host \"h\""),
            "deferred hostbased user=web source=1.2.3.4 port=22");
  EXPECT_EQ(Sshd("Failed gssapi-with-mic for bob from 1.2.3.4 port 22 ssh2"),
            "deferred gssapi user=bob source=1.2.3.4 port=22");
  // "none" is the client asking which methods exist, not a guess.
  EXPECT_EQ(Sshd("Failed none for invalid user x from 1.2.3.4 port 22 ssh2"), "none");
}

TEST(SshdMessages, AcceptedVariants) {
  EXPECT_EQ(Sshd("Accepted password for alice from ::ffff:192.0.2.60 port 40001 ssh2"),
            "success password user=alice source=::ffff:192.0.2.60 port=40001");
  EXPECT_EQ(Sshd("Accepted publickey for deploy from 2001:db8::10 port 51000 ssh2: ED25519 "
                 "SHA256:pO6Yq5cD1ZyRk0C1hBv3m3dE7m3S9bQ5h9m2u6b8Vxw"),
            "success publickey user=deploy source=2001:db8::10 port=51000");
  EXPECT_EQ(Sshd("Accepted publickey for ca from 1.2.3.4 port 5 ssh2: ED25519-CERT SHA256:x ID "
                 "key (serial 1) CA ED25519 SHA256:y"),
            "success publickey user=ca source=1.2.3.4 port=5");
  EXPECT_EQ(Sshd("Accepted keyboard-interactive/pam for ops from 1.2.3.4 port 5 ssh2"),
            "success keyboard-interactive user=ops source=1.2.3.4 port=5");
  EXPECT_EQ(Sshd("Accepted gssapi-with-mic for ops from 1.2.3.4 port 5 ssh2"),
            "success gssapi user=ops source=1.2.3.4 port=5");
  EXPECT_EQ(Sshd("Accepted hostbased for ops from 1.2.3.4 port 5 ssh2: ECDSA SHA256:x"),
            "success hostbased user=ops source=1.2.3.4 port=5");
}

TEST(SshdMessages, InvalidUserVariants) {
  EXPECT_EQ(Sshd("Invalid user admin from 198.51.100.7 port 41234"),
            "announce invalid_user user=admin source=198.51.100.7 port=41234 invalid");
  EXPECT_EQ(Sshd("Invalid user admin from 198.51.100.7"),
            "announce invalid_user user=admin source=198.51.100.7 port=0 invalid");
  EXPECT_EQ(Sshd("Illegal user test from ::ffff:10.1.2.3"),
            "announce invalid_user user=test source=::ffff:10.1.2.3 port=0 invalid");
  EXPECT_EQ(Sshd("Invalid user  from 1.2.3.4 port 5"),
            "announce invalid_user user= source=1.2.3.4 port=5 invalid");
  EXPECT_EQ(Sshd("input_userauth_request: invalid user oracle [preauth]"),
            "announce invalid_user user=oracle source= port=0 invalid");
  EXPECT_EQ(Sshd("input_userauth_request: illegal user test"),
            "announce invalid_user user=test source= port=0 invalid");
}

TEST(SshdMessages, PamAndRefusals) {
  EXPECT_EQ(Sshd("error: PAM: Authentication failure for root from 203.0.113.10"),
            "pam pam user=root source=203.0.113.10 port=0");
  EXPECT_EQ(Sshd("error: PAM: Authentication failure for illegal user bob from h.example.com"),
            "pam pam user=bob source=h.example.com port=0 invalid");
  EXPECT_EQ(Sshd("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                 "ruser= rhost=203.0.113.5  user=root"),
            "pam pam user=root source=203.0.113.5 port=0");
  EXPECT_EQ(Sshd("PAM 3 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
                 "rhost=203.0.113.5  user=root"),
            "pam_more pam user=root source=203.0.113.5 port=0 x3");
  EXPECT_EQ(Sshd("ROOT LOGIN REFUSED FROM 203.0.113.13 port 4242"),
            "announce root_refused user=root source=203.0.113.13 port=4242");
  EXPECT_EQ(Sshd("ROOT LOGIN REFUSED FROM 10.1.2.5"),
            "announce root_refused user=root source=10.1.2.5 port=0");
  EXPECT_EQ(Sshd("User root from 203.0.113.11 not allowed because not listed in AllowUsers"),
            "announce root_refused user=root source=203.0.113.11 port=0");
  EXPECT_EQ(Sshd("User guest from 203.0.113.12 not allowed because none of user's groups are "
                 "listed in AllowGroups"),
            "announce not_allowed user=guest source=203.0.113.12 port=0");
}

TEST(SshdMessages, PreauthVariants) {
  EXPECT_EQ(Sshd("error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 "
                 "ssh2 [preauth]"),
            "preauth max_auth_attempts user=root source=1.2.3.4 port=22");
  EXPECT_EQ(Sshd("error: maximum authentication attempts exceeded for invalid user x from 1.2.3.4 "
                 "port 22 ssh2 [preauth]"),
            "preauth max_auth_attempts user=x source=1.2.3.4 port=22 invalid");
  EXPECT_EQ(Sshd("Disconnecting authenticating user root 1.2.3.4 port 22: Too many "
                 "authentication failures [preauth]"),
            "preauth preauth user=root source=1.2.3.4 port=22 closes");
  EXPECT_EQ(Sshd("Disconnecting invalid user x 1.2.3.4 port 22: Too many authentication failures "
                 "[preauth]"),
            "preauth preauth user=x source=1.2.3.4 port=22 invalid closes");
  EXPECT_EQ(Sshd("Connection closed by authenticating user ubuntu 192.0.2.44 port 60100 [preauth]"),
            "preauth preauth user=ubuntu source=192.0.2.44 port=60100 closes");
  EXPECT_EQ(Sshd("Disconnected from authenticating user root 2001:db8::5 port 60100 [preauth]"),
            "preauth preauth user=root source=2001:db8::5 port=60100 closes");
  EXPECT_EQ(Sshd("Connection reset by authenticating user root 1.2.3.4 port 6 [preauth]"),
            "preauth preauth user=root source=1.2.3.4 port=6 closes");
  EXPECT_EQ(Sshd("Connection closed by invalid user admin 198.51.100.7 port 41234 [preauth]"),
            "preauth preauth user=admin source=198.51.100.7 port=41234 invalid closes");
  EXPECT_EQ(Sshd("Disconnecting: Too many authentication failures for root [preauth]"),
            "preauth preauth user=root source= port=0 closes");
}

TEST(SshdMessages, RepeatedMessages) {
  EXPECT_EQ(Sshd("message repeated 5 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]"),
            "failure password user=root source=1.2.3.4 port=22 x5");
  EXPECT_EQ(Sshd("message repeated 2 times: [ message repeated 3 times: [ Failed password for r "
                 "from 1.2.3.4]]"),
            "none");
  EXPECT_EQ(Sshd("message repeated x times: [ Failed password for root from 1.2.3.4]"), "none");
}

TEST(SshdMessages, NotFailures) {
  for (const char* msg : {
           "reverse mapping checking getaddrinfo for scan.example.net [203.0.113.5] failed - "
           "POSSIBLE BREAK-IN ATTEMPT!",
           "Address 192.0.2.96 maps to host.example.org, but this does not map back to the "
           "address - POSSIBLE BREAK-IN ATTEMPT!",
           "Did not receive identification string from 192.0.2.99 port 33333",
           "banner exchange: Connection from 192.0.2.98 port 44444: invalid format",
           "Server listening on 0.0.0.0 port 22.",
           "pam_unix(sshd:auth): check pass; user unknown",
           "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)",
           "Postponed publickey for deploy from 1.2.3.4 port 22 ssh2 [preauth]",
           "Partial publickey for deploy from 1.2.3.4 port 22 ssh2: ED25519 SHA256:x",
           "Unable to negotiate with 1.2.3.4 port 22: no matching key exchange method found.",
           "drop connection #0 from [1.2.3.4]:22 on [10.0.0.1]:22 penalty: failed authentication",
           "",
       }) {
    const auto m = ParseSshdMessage(msg);
    EXPECT_TRUE(m.type == AuthMessageType::kNone) << msg << " -> " << D(m);
  }
}

TEST(SshdMessages, ConnectionContextAndCloses) {
  EXPECT_EQ(Sshd("Connection from 203.0.113.5 port 50022 on 10.0.0.2 port 22 rdomain \"\""),
            "connect  user= source=203.0.113.5 port=50022");
  EXPECT_EQ(Sshd("Connection from 10.1.2.4 port 2202"), "connect  user= source=10.1.2.4 port=2202");
  EXPECT_EQ(Sshd("Received disconnect from 192.0.2.97 port 55555:11: Bye Bye [preauth]"),
            "close  user= source= port=0 closes");
  EXPECT_EQ(Sshd("Disconnected from 192.0.2.97 port 55555 [preauth]"),
            "close  user= source= port=0 closes");
  EXPECT_EQ(Sshd("Connection closed by 192.0.2.97 port 55555 [preauth]"),
            "close  user= source= port=0 closes");
  EXPECT_EQ(Sshd("Disconnected from user deploy 1.2.3.4 port 22"),
            "close  user= source= port=0 closes");
}

// Attacker-chosen user names must never move the source.
TEST(SshdMessages, InjectionInUserNameKeepsRealSource) {
  EXPECT_EQ(Sshd("Failed password for invalid user x from 6.6.6.6 port 22 ssh2 from 192.0.2.50 "
                 "port 40000 ssh2"),
            "failure password user=x from 6.6.6.6 port 22 ssh2 source=192.0.2.50 port=40000 "
            "invalid");
  EXPECT_EQ(Sshd("Failed password for invalid user invalid user evil from 1.2.3.4 from 5.5.5.5 "
                 "port 1 ssh2"),
            "failure password user=invalid user evil from 1.2.3.4 source=5.5.5.5 port=1 invalid");
  EXPECT_EQ(Sshd("Invalid user x from 6.6.6.6 port 22 from 192.0.2.51 port 40001"),
            "announce invalid_user user=x from 6.6.6.6 port 22 source=192.0.2.51 port=40001 "
            "invalid");
  // A banner-like user name with spaces.
  EXPECT_EQ(Sshd("Invalid user SSH-2.0-Go from 1.1.1.1 port 1 ssh2 accepted from 192.0.2.52 port "
                 "40002"),
            "announce invalid_user user=SSH-2.0-Go from 1.1.1.1 port 1 ssh2 accepted "
            "source=192.0.2.52 port=40002 invalid");
  EXPECT_EQ(Sshd("Accepted password for x from 6.6.6.6 port 1 ssh2 from 192.0.2.53 port 2 ssh2"),
            "success password user=x from 6.6.6.6 port 1 ssh2 source=192.0.2.53 port=2");
  EXPECT_EQ(Sshd("Connection closed by authenticating user a 6.6.6.6 port 1 192.0.2.54 port 2 "
                 "[preauth]"),
            "preauth preauth user=a 6.6.6.6 port 1 source=192.0.2.54 port=2 closes");
  EXPECT_EQ(Sshd("error: PAM: Authentication failure for x from 6.6.6.6 from 192.0.2.55"),
            "pam pam user=x from 6.6.6.6 source=192.0.2.55 port=0");
}

TEST(SshdMessages, InjectionWithMalformedTailYieldsNothing) {
  // The real tail is malformed: an earlier " from " (attacker text) must not be used instead.
  EXPECT_EQ(Sshd("Failed password for x from 6.6.6.6 port 22 ssh2 from not/an address port 1"),
            "none");
  EXPECT_EQ(Sshd("Failed password for x from 6.6.6.6 port 22 ssh2 from 1.2.3.4 port 99999 ssh2"),
            "none");
  EXPECT_EQ(Sshd("Invalid user x from 6.6.6.6 port 22 from 1.2.3.4 port 1 trailing"), "none");
  EXPECT_EQ(Sshd("Failed password for x from 1.2.3.4 port 22 ssh2junk"), "none");
  EXPECT_EQ(Sshd("Failed password for x from 300.1.1.1 port 22 ssh2"), "none");
  // Hostbased key info quotes client-chosen text: two " from " is ambiguous and ignored.
  EXPECT_EQ(Sshd("Failed hostbased for r from 1.2.3.4 port 22 ssh2: ECDSA SHA256:x, client user "
                 "\"a from 6.6.6.6 port 1 ssh2: z\", client host \"h\""),
            "none");
}

TEST(PamMessages, AnyService) {
  EXPECT_EQ(D(ParsePamMessage("pam_unix(vsftpd:auth): authentication failure; logname= uid=0 "
                              "euid=0 tty=ftp ruser=bob rhost=192.0.2.41  user=bob")),
            "pam pam user=bob source=192.0.2.41 port=0");
  const auto login = ParsePamMessage(
      "pam_unix(login:auth): authentication failure; logname=LOGIN uid=0 euid=0 tty=/dev/tty1 "
      "ruser= rhost=  user=carol");
  EXPECT_EQ(D(login), "pam pam user=carol source= port=0");
  EXPECT_EQ(login.service, "login");
  EXPECT_EQ(ParsePamMessage("pam_sss(cron:auth): authentication failure; logname= uid=0 euid=0 "
                            "tty= ruser= rhost=")
                .service,
            "cron");
  EXPECT_EQ(D(ParsePamMessage("pam_unix(su:auth): 2 more authentication failures; logname=bob "
                              "uid=1000 euid=0 tty=pts/0 ruser=bob rhost=  user=root")),
            "pam_more pam user=root source= port=0 x2");
  EXPECT_EQ(D(ParsePamMessage("pam_unix(su:session): session opened for user root")), "none");
  // A user name containing " rhost=" cannot move the host (rhost comes before user).
  EXPECT_EQ(D(ParsePamMessage("pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                              "euid=0 tty=ssh ruser= rhost=192.0.2.9  user=x rhost=6.6.6.6")),
            "pam pam user=x rhost=6.6.6.6 source=192.0.2.9 port=0");
}

std::string Dropbear(std::string_view msg) { return D(ParseDropbearMessage(msg)); }

TEST(DropbearMessages, AllVariants) {
  EXPECT_EQ(Dropbear("Bad password attempt for 'root' from 198.51.100.20:52000"),
            "failure password user=root source=198.51.100.20 port=52000");
  EXPECT_EQ(Dropbear("Bad password attempt for 'a' from 6.6.6.6:1' from 2001:db8::20:52000"),
            "failure password user=a' from 6.6.6.6:1 source=2001:db8::20 port=52000");
  EXPECT_EQ(Dropbear("Login attempt for nonexistent user from 198.51.100.20:52000"),
            "announce invalid_user user= source=198.51.100.20 port=52000 invalid");
  EXPECT_EQ(Dropbear("Login attempt for nonexistent user 'oracle' from 198.51.100.20:52000"),
            "announce invalid_user user=oracle source=198.51.100.20 port=52000 invalid");
  EXPECT_EQ(Dropbear("Password auth succeeded for 'pi' from 198.51.100.21:52001"),
            "success password user=pi source=198.51.100.21 port=52001");
  EXPECT_EQ(Dropbear("Pubkey auth succeeded for 'root' with key md5 0b:2c:aa from 1.2.3.4:5"),
            "success publickey user=root source=1.2.3.4 port=5");
  EXPECT_EQ(Dropbear("Pubkey auth succeeded for 'root' with ssh-ed25519 key SHA256:abc from "
                     "1.2.3.4:5"),
            "success publickey user=root source=1.2.3.4 port=5");
  EXPECT_EQ(Dropbear("Exit before auth from <198.51.100.20:52000>: (user 'root', 3 fails): Max "
                     "auth tries reached - user 'root'"),
            "preauth preauth user=root source=198.51.100.20 port=52000 x3 closes");
  EXPECT_EQ(Dropbear("Exit before auth from <198.51.100.20:52000>: Exited normally"),
            "close  user= source=198.51.100.20 port=52000 closes");
  EXPECT_EQ(Dropbear("Exit before auth (user 'root', 10 fails): Max auth tries reached - user "
                     "'root'"),
            "preauth preauth user=root source= port=0 x10 closes");
  EXPECT_EQ(Dropbear("Child connection from 198.51.100.20:52000"),
            "connect  user= source=198.51.100.20 port=52000");
  EXPECT_EQ(Dropbear("Running in background"), "none");
}

TEST(AddressValidation, LiteralsAndHostNames) {
  for (const char* ok : {"1.2.3.4", "255.255.255.255", "::1", "2001:db8::1", "::ffff:1.2.3.4",
                         "fe80::1%eth0", "host.example.com", "UNKNOWN", "my_host-1"}) {
    EXPECT_TRUE(IsAddressOrHost(ok)) << ok;
  }
  for (const char* bad : {"", "1.2.3.256", "1.2.3", "1.2.3.4.5", "a b", "x/y", "1:2", "::ffff:1.2",
                          "host;rm", "[::1]", "fe80::1%", "\xff"}) {
    EXPECT_FALSE(IsAddressOrHost(bad)) << bad;
  }
}

TEST(FromTail, TakesTheLastFrom) {
  std::string_view head;
  std::string_view addr;
  int port = -1;
  ASSERT_TRUE(ParseFromTail("a from 1.1.1.1 from 2.2.2.2 port 3 ssh2: K", &head, &addr, &port));
  EXPECT_EQ(head, "a from 1.1.1.1");
  EXPECT_EQ(addr, "2.2.2.2");
  EXPECT_EQ(port, 3);
  EXPECT_FALSE(ParseFromTail("no address here", &head, &addr, &port));
  EXPECT_FALSE(ParseFromTail("x from 1.2.3.4 port", &head, &addr, &port));
}

}  // namespace
}  // namespace rampart::agent
