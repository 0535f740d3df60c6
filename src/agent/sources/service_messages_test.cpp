#include "agent/sources/service_messages.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

std::string D(const AuthMessage& m) {
  if (m.type == AuthMessageType::kNone) return "none";
  std::string type;
  switch (m.type) {
    case AuthMessageType::kFailure:
      type = "failure";
      break;
    case AuthMessageType::kSuccess:
      type = "success";
      break;
    case AuthMessageType::kSummary:
      type = "summary";
      break;
    case AuthMessageType::kConnect:
      type = "connect";
      break;
    default:
      type = "other";
      break;
  }
  std::string s = type + " " + std::string(m.kind) + " user=" + std::string(m.user) +
                  " source=" + std::string(m.source) + " port=" + std::to_string(m.port);
  if (m.attempts != 1) s += " x" + std::to_string(m.attempts);
  if (m.invalid_user) s += " invalid";
  return s;
}

TEST(SuMessages, UtilLinuxAndShadow) {
  EXPECT_EQ(D(ParseSuMessage("FAILED SU (to root) bob on pts/0")),
            "summary password user=root source= port=0");
  EXPECT_EQ(D(ParseSuMessage("(to root) bob on pts/0")),
            "success password user=root source= port=0");
  EXPECT_EQ(D(ParseSuMessage("FAILED su for root by bob")),
            "summary password user=root source= port=0");
  EXPECT_EQ(D(ParseSuMessage("Successful su for root by bob")),
            "success password user=root source= port=0");
  EXPECT_EQ(D(ParseSuMessage("+ pts/0 bob:root")), "none");
}

TEST(SudoMessages, IncorrectPasswordAttempts) {
  EXPECT_EQ(D(ParseSudoMessage("     bob : 3 incorrect password attempts ; TTY=pts/0 ; "
                               "PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id")),
            "summary password user=bob source= port=0 x3");
  EXPECT_EQ(D(ParseSudoMessage("bob : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/ ; "
                               "USER=root ; COMMAND=/bin/ls")),
            "summary password user=bob source= port=0");
  EXPECT_EQ(D(ParseSudoMessage("bob : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls")), "none");
}

TEST(VsftpdMessages, FailAndOk) {
  EXPECT_EQ(D(ParseVsftpdMessage("[ftp] FAIL LOGIN: Client \"192.0.2.31\"")),
            "failure password user=ftp source=192.0.2.31 port=0");
  EXPECT_EQ(D(ParseVsftpdMessage("[bob] FAIL LOGIN: Client \"::ffff:192.0.2.32\"")),
            "failure password user=bob source=::ffff:192.0.2.32 port=0");
  EXPECT_EQ(D(ParseVsftpdMessage("[bob] OK LOGIN: Client \"192.0.2.33\"")),
            "success password user=bob source=192.0.2.33 port=0");
  EXPECT_EQ(D(ParseVsftpdMessage("[ftp] OK LOGIN: Client \"192.0.2.34\", anon password "
                                 "\"x] OK LOGIN: Client \"6.6.6.6\"\"")),
            "success password user=ftp source=192.0.2.34 port=0");
  EXPECT_EQ(D(ParseVsftpdMessage("CONNECT: Client \"192.0.2.35\"")), "none");
}

TEST(VsftpdMessages, InjectionInUserName) {
  EXPECT_EQ(D(ParseVsftpdMessage("[x] FAIL LOGIN: Client \"6.6.6.6\"] FAIL LOGIN: Client "
                                 "\"192.0.2.36\"")),
            "failure password user=x] FAIL LOGIN: Client \"6.6.6.6\" source=192.0.2.36 port=0");
  EXPECT_EQ(D(ParseVsftpdMessage("[x] FAIL LOGIN: Client \"6.6.6.6\"] FAIL LOGIN: Client \"a b\"")),
            "none");
}

TEST(ProftpdMessages, SyslogAndSystemLog) {
  EXPECT_EQ(D(ParseProftpdMessage("ftp1.example.com (client.example.net[192.0.2.42]) - USER bob "
                                  "(Login failed): Incorrect password")),
            "failure password user=bob source=192.0.2.42 port=0");
  EXPECT_EQ(D(ParseProftpdMessage("ftp1 (client[192.0.2.42]) - USER nosuch: no such user found "
                                  "from client [192.0.2.42] to 10.0.0.5:21")),
            "failure invalid_user user=nosuch source=192.0.2.42 port=0 invalid");
  EXPECT_EQ(D(ParseProftpdMessage("ftp1 (::ffff:192.0.2.43[::ffff:192.0.2.43]) - USER carol: "
                                  "Login successful.")),
            "success password user=carol source=::ffff:192.0.2.43 port=0");
  EXPECT_EQ(D(ParseProftpdMessage("ftp1 (192.0.2.51[192.0.2.51]): USER root (Login failed): "
                                  "Incorrect password")),
            "failure password user=root source=192.0.2.51 port=0");
  // The user name cannot move the address: it comes after the fixed "(host[ip]) - " prefix.
  EXPECT_EQ(D(ParseProftpdMessage("ftp1 (c[192.0.2.44]) - USER x (c[6.6.6.6]) - USER y (Login "
                                  "failed): Incorrect password")),
            "failure password user=x (c[6.6.6.6]) - USER y source=192.0.2.44 port=0");
  EXPECT_EQ(D(ParseProftpdMessage("ftp1 (c[192.0.2.44]) - FTP session opened.")), "none");
}

TEST(PureFtpdMessages, FailAndSuccess) {
  EXPECT_EQ(D(ParsePureFtpdMessage("(?@192.0.2.44) [WARNING] Authentication failed for user "
                                   "[dave]")),
            "failure password user=dave source=192.0.2.44 port=0");
  EXPECT_EQ(D(ParsePureFtpdMessage("(?@2001:db8::44) [WARNING] Authentication failed for user "
                                   "[a] b]")),
            "failure password user=a] b source=2001:db8::44 port=0");
  EXPECT_EQ(D(ParsePureFtpdMessage("(dave@192.0.2.44) [INFO] dave is now logged in")),
            "success password user=dave source=192.0.2.44 port=0");
  EXPECT_EQ(D(ParsePureFtpdMessage("(?@192.0.2.45) [INFO] New connection from 192.0.2.45")),
            "none");
}

TEST(MysqlMessages, AccessDenied) {
  EXPECT_EQ(D(ParseMysqlMessage("Access denied for user 'root'@'192.0.2.61' (using password: "
                                "YES)")),
            "failure password user=root source=192.0.2.61 port=0");
  EXPECT_EQ(D(ParseMysqlMessage("Access denied for user 'app'@'localhost' (using password: NO)")),
            "failure password user=app source=localhost port=0");
  EXPECT_EQ(D(ParseMysqlMessage("Access denied for user 'a'@'6.6.6.6'@'192.0.2.62' (using "
                                "password: YES)")),
            "failure password user=a'@'6.6.6.6 source=192.0.2.62 port=0");
  EXPECT_EQ(D(ParseMysqlMessage("Access denied for user 'root'@'%' to database 'x'")), "none");
}

TEST(PostgresMessages, FailuresAndContext) {
  EXPECT_EQ(D(ParsePostgresMessage("bob@appdb FATAL:  password authentication failed for user "
                                   "\"bob\"")),
            "failure password user=bob source= port=0");
  EXPECT_EQ(D(ParsePostgresMessage("192.0.2.72(51001) postgres@postgres FATAL:  password "
                                   "authentication failed for user \"postgres\"")),
            "failure password user=postgres source=192.0.2.72 port=51001");
  EXPECT_EQ(D(ParsePostgresMessage("host=192.0.2.75 user=x FATAL:  password authentication "
                                   "failed for user \"x\"")),
            "failure password user=x source=192.0.2.75 port=0");
  EXPECT_EQ(D(ParsePostgresMessage("FATAL:  no pg_hba.conf entry for host \"192.0.2.73\", user "
                                   "\"eve\", database \"prod\", no encryption")),
            "failure not_allowed user=eve source=192.0.2.73 port=0");
  EXPECT_EQ(D(ParsePostgresMessage("FATAL:  role \"ghost\" does not exist")),
            "failure invalid_user user=ghost source= port=0 invalid");
  EXPECT_EQ(D(ParsePostgresMessage("LOG:  connection received: host=192.0.2.71 port=51000")),
            "connect  user= source=192.0.2.71 port=51000");
  EXPECT_EQ(D(ParsePostgresMessage("LOG:  connection received: host=[local]")),
            "connect  user= source= port=0");
  EXPECT_EQ(D(ParsePostgresMessage("[3-1] user=bob,db=x FATAL:  password authentication failed "
                                   "for user \"bob\"")),
            "failure password user=bob source= port=0");
  EXPECT_EQ(D(ParsePostgresMessage("LOG:  checkpoint starting: time")), "none");
}

TEST(PostgresMessages, UserFieldsAreNotReadForTheSource) {
  // The prefix is read only up to the first user-controlled field.
  EXPECT_EQ(D(ParsePostgresMessage("6.6.6.6@db FATAL:  password authentication failed for user "
                                   "\"6.6.6.6\"")),
            "failure password user=6.6.6.6 source= port=0");
  EXPECT_EQ(D(ParsePostgresMessage("user=1.2.3.4,client=5.5.5.5 FATAL:  password authentication "
                                   "failed for user \"1.2.3.4,client=5.5.5.5\"")),
            "failure password user=1.2.3.4,client=5.5.5.5 source= port=0");
}

}  // namespace
}  // namespace rampart::agent
