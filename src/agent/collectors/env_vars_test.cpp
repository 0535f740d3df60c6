#include "agent/collectors/env_vars.h"

#include <gtest/gtest.h>

#include "agent/collectors/env_file.h"
#include "agent/collectors/registry.h"

namespace rampart::agent {
namespace {

Json CollectFrom(const std::string& root) {
  auto host = HostView::Open(root);
  EXPECT_TRUE(host) << root;
  FakeClock clock{std::chrono::system_clock::time_point{}};
  CollectContext ctx{*host, clock, {}};
  auto rows = MakeEnvVarsCollector()->Collect(ctx);
  EXPECT_TRUE(rows) << rows.status().ToString();
  return rows ? *rows : Json();
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs NamesValues(const std::vector<EnvAssignment>& v) {
  Pairs out;
  for (const auto& a : v) out.emplace_back(a.name, a.value);
  return out;
}

TEST(ShellEnv, ExtractsExportDeclareSetenvAndPlainAssignments) {
  const auto got = ParseShellEnv(
      "export A=1 B=\"two words\" C\n"
      "declare -x D='single $quoted'\n"
      "typeset -rx E=5\n"
      "declare -r NOT_EXPORTED=1\n"
      "F=plain; G=$HOME/bin:\"$PATH\"\n"
      "setenv H /opt/h\n"
      "setenv EMPTY\n"
      "export I=a\\ b J=\"x\\\"y\"\n");
  EXPECT_EQ(NamesValues(got), (Pairs{{"A", "1"},
                                     {"B", "two words"},
                                     {"D", "single $quoted"},
                                     {"E", "5"},
                                     {"F", "plain"},
                                     {"G", "$HOME/bin:$PATH"},
                                     {"H", "/opt/h"},
                                     {"EMPTY", ""},
                                     {"I", "a b"},
                                     {"J", "x\"y"}}));
  EXPECT_EQ(got[0].line, 1u);
  EXPECT_EQ(got[5].line, 5u);
  EXPECT_EQ(got[9].line, 8u);
}

TEST(ShellEnv, SkipsWhatItCannotEvaluate) {
  const auto got = ParseShellEnv(
      "if [ -d /opt ]; then\n  export IN_IF=1\nfi\n"
      "[ -n \"$X\" ] && export AND=1\n"
      "test -f /x || OR=1\n"
      "for i in 1 2; do LOOP=$i; done\n"
      "while read l; do\n  W=1\ndone < /etc/x\n"
      "case $- in\n  *i*) CASE=1 ;;\n  *) return;;\nesac\n"
      "f() {\n  export IN_FUNC=1\n}\n"
      "function g {\n  IN_FUNC2=1\n}\n"
      "( SUBSHELL=1 )\n"
      "ONLY_FOR_CMD=1 make install\n"
      "export -n UNEXPORTED=1\n"
      "declare -fx func\n"
      "arr=(1 2 3)\n"
      "alias ll='ls -l'\n"
      "eval \"$(dircolors)\"\n"
      "\"QUOTED\"=1\n"
      "cat <<EOF\nexport IN_HEREDOC=1\nEOF\n"
      "cat <<-'END'\n\tHD2=1\n\tEND\n"
      "AFTER=ok\n");
  EXPECT_EQ(NamesValues(got), (Pairs{{"AFTER", "ok"}}));
  EXPECT_EQ(got[0].line, 34u);
}

TEST(ShellEnv, HandlesCommentsContinuationsAndMultiLineQuotes) {
  const auto got = ParseShellEnv(
      "# export COMMENTED=1\n"
      "export A=1 # trailing comment\n"
      "export B=x#not-a-comment\n"
      "export C=one \\\n  D=two\n"
      "export E=\"line1\nline2\"\n"
      "export F='a;b' ; export G=$(printf '%s' \"x y\")\n"
      "export H=${X:-default value}\n"
      "export K=`date +%s`\n");
  EXPECT_EQ(NamesValues(got), (Pairs{{"A", "1"},
                                     {"B", "x#not-a-comment"},
                                     {"C", "one"},
                                     {"D", "two"},
                                     {"E", "line1\nline2"},
                                     {"F", "a;b"},
                                     {"G", "$(printf '%s' \"x y\")"},
                                     {"H", "${X:-default value}"},
                                     {"K", "`date +%s`"}}));
  EXPECT_EQ(got[2].line, 4u);
  EXPECT_EQ(got[4].line, 6u);
  EXPECT_EQ(got[5].line, 8u);
}

TEST(ShellEnv, RecoversFromAnUnterminatedQuoteAndCapsResults) {
  std::string text = "export BAD=\"never closed\n";
  for (int i = 0; i < 100; ++i) text += "filler line\n";
  text += "export GOOD=1\n";
  const auto got = ParseShellEnv(text);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "GOOD");
  EXPECT_EQ(got[0].line, 102u);
  EXPECT_EQ(ParseShellEnv("A=1\nB=2\nC=3\n", 2).size(), 2u);
  EXPECT_TRUE(ParseShellEnv("fi\ndone\n}\n)\nesac\n").empty());  // stray closers are ignored
  EXPECT_EQ(ParseShellEnv("fi\nX=1\n").size(), 1u);
}

TEST(EnvironmentFile, ReadsPamEnvStyleKeyValueLines) {
  const auto got = ParseEnvironmentFile(
      "# comment\nPATH=\"/usr/local/bin:/usr/bin\"\nexport LANG=C.UTF-8\nnot a line\n1BAD=x\n");
  EXPECT_EQ(NamesValues(got), (Pairs{{"PATH", "/usr/local/bin:/usr/bin"}, {"LANG", "C.UTF-8"}}));
  EXPECT_EQ(got[1].line, 3u);
}

TEST(PamEnvironment, PrefersOverrideThenDefault) {
  const auto got = ParsePamEnvironment(
      "# c\nEDITOR\tDEFAULT=nano OVERRIDE=vim\nLANGUAGE DEFAULT=en_US\n"
      "DISPLAY DEFAULT=\"\" OVERRIDE=\"${REMOTEHOST}:0 x\"\nPAGER=less\nNOTHING\n"
      "BAD-NAME DEFAULT=1\nFOO UNKNOWN=1\n");
  EXPECT_EQ(NamesValues(got), (Pairs{{"EDITOR", "vim"},
                                     {"LANGUAGE", "en_US"},
                                     {"DISPLAY", "${REMOTEHOST}:0 x"},
                                     {"PAGER", "less"}}));
  EXPECT_EQ(got[3].line, 5u);
}

TEST(EnvMasking, RecognisesSecretNames) {
  for (auto n : {"PASSWORD",
                 "db_password",
                 "MYSQL_PWD",
                 "PGPASSWORD",
                 "LDAP_PASSWD",
                 "APP_SECRET",
                 "GITHUB_TOKEN",
                 "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY",
                 "STRIPE_KEY",
                 "API_KEY",
                 "MY_APIKEY",
                 "SSH_PRIVATE",
                 "GOOGLE_APPLICATION_CREDENTIALS",
                 "SMTP_PASS",
                 "BASIC_AUTH",
                 "HTTP_AUTHORIZATION",
                 "SESSION",
                 "SESSION_SECRET",
                 "COOKIE_JAR",
                 "KEY",
                 "SSH_KEYS"}) {
    EXPECT_TRUE(IsSecretName(n)) << n;
  }
  for (auto n :
       {"PWD", "OLDPWD", "SSH_AUTH_SOCK", "XAUTHORITY", "XDG_SESSION_TYPE", "XDG_SESSION_ID",
        "DESKTOP_SESSION", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER", "GIT_AUTHOR_NAME",
        "KEYMAP", "KEYBOARD", "PATH", "HOME", "ORACLE_SID", "LANG", "PASSENGER_ROOT"}) {
    EXPECT_FALSE(IsSecretName(n)) << n;
  }
}

TEST(EnvMasking, MasksWholeSecretValuesButNotEmptyOnes) {
  EXPECT_EQ(MaskEnvValue("PGPASSWORD", "hunter2").value, "********");
  EXPECT_TRUE(MaskEnvValue("PGPASSWORD", "hunter2").masked);
  EXPECT_EQ(MaskEnvValue("API_TOKEN", "").value, "");
  EXPECT_FALSE(MaskEnvValue("API_TOKEN", "").masked);
  EXPECT_EQ(MaskEnvValue("PWD", "/root").value, "/root");
  EXPECT_FALSE(MaskEnvValue("OLDPWD", "/tmp").masked);
}

TEST(EnvMasking, MasksOnlyThePasswordOfConnectionStrings) {
  EXPECT_EQ(MaskEnvValue("DATABASE_URL", "postgres://app:S3cr3t@db:5432/app").value,
            "postgres://app:********@db:5432/app");
  EXPECT_EQ(MaskEnvValue("http_proxy", "http://ops:pw@proxy:8080").value,
            "http://ops:********@proxy:8080");
  EXPECT_EQ(MaskEnvValue("REDIS", "redis://:pw@10.0.0.1:6379/0").value,
            "redis://:********@10.0.0.1:6379/0");
  EXPECT_EQ(MaskEnvValue("BACKENDS", "amqp://a:1@h1/ amqp://b:2@h2/").value,
            "amqp://a:********@h1/ amqp://b:********@h2/");
  // A bare user:pass@host is masked only when the name says it is a connection string.
  EXPECT_EQ(MaskEnvValue("MYSQL_DSN", "app:pw@tcp(db:3306)/app").value,
            "app:********@tcp(db:3306)/app");
  EXPECT_EQ(MaskEnvValue("MAILTO", "mailto:bob@example.com").value, "mailto:bob@example.com");
  // No password, nothing masked.
  const auto plain = MaskEnvValue("REPO_URL", "ssh://git@github.com:22/org/repo");
  EXPECT_EQ(plain.value, "ssh://git@github.com:22/org/repo");
  EXPECT_FALSE(plain.masked);
  EXPECT_FALSE(MaskEnvValue("URL", "http://host:8080/a@b").masked);
}

const Json* FindRow(const Json& rows, std::string_view name, std::string_view source) {
  for (const auto& r : rows.as_array()) {
    if (r.GetString("name") == name && r.GetString("source") == source) return &r;
  }
  return nullptr;
}

TEST(EnvVars, CollectsSystemAndUserVariablesOnDebian) {
  auto collector = MakeEnvVarsCollector();
  EXPECT_EQ(collector->name(), "env_vars");
  const Json rows = CollectFrom(RAMPART_SOURCE_DIR "/tests/testdata/root-debian");
  for (const auto& r : rows.as_array()) EXPECT_TRUE(ValidateRow(r, collector->schema()).ok());
  EXPECT_EQ(rows.size(), 33u);
  const Json* db = FindRow(rows, "DATABASE_URL", "/etc/environment");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->GetString("value"), "postgres://app:********@db.internal:5432/app");
  EXPECT_EQ(db->GetString("scope"), "system");
  EXPECT_EQ(db->GetString("user"), "");
  EXPECT_EQ(db->GetInt("line"), 4);
  EXPECT_TRUE(db->Find("masked")->as_bool());
  const Json* editor = FindRow(rows, "EDITOR", "/etc/profile");
  ASSERT_NE(editor, nullptr);
  EXPECT_EQ(editor->GetString("value"), "vim");
  EXPECT_EQ(editor->GetInt("line"), 36);
  const Json* secret = FindRow(rows, "AWS_SECRET_ACCESS_KEY", "/etc/profile.d/app-env.sh");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ(secret->GetString("value"), "********");
  EXPECT_EQ(FindRow(rows, "APP_LOG_LEVEL", "/etc/profile.d/app-env.sh"), nullptr);
  EXPECT_EQ(FindRow(rows, "PATH", "/etc/profile"), nullptr);           // inside if/else
  EXPECT_EQ(FindRow(rows, "NOT_A_VAR", "/etc/bash.bashrc"), nullptr);  // heredoc body
  const Json* pg = FindRow(rows, "PGPASSWORD", "/home/alice/.bashrc");
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->GetString("scope"), "user");
  EXPECT_EQ(pg->GetString("user"), "alice");
  EXPECT_EQ(pg->GetString("value"), "********");
  const Json* pam = FindRow(rows, "EDITOR", "/home/alice/.pam_environment");
  ASSERT_NE(pam, nullptr);
  EXPECT_EQ(pam->GetString("value"), "vim");
  const Json* ls = FindRow(rows, "LS_OPTIONS", "/root/.bashrc");
  ASSERT_NE(ls, nullptr);
  EXPECT_EQ(ls->GetString("user"), "root");  // /root is read once, under its first account
  EXPECT_FALSE(FindRow(rows, "GIT_AUTHOR_NAME", "/home/deploy/.bashrc")->Find("masked")->as_bool());
  // Nothing in the output leaks a fixture secret.
  const std::string dump = rows.Dump();
  for (auto s : {"S3cr3tPw", "hunter2", "wJalrXUtnFEMI", "ghp_16C7", "r3disPass", "dbpass"}) {
    EXPECT_EQ(dump.find(s), std::string::npos) << s;
  }
}

TEST(EnvVars, CollectsCshAndUserFilesOnRpm) {
  const Json rows = CollectFrom(RAMPART_SOURCE_DIR "/tests/testdata/root-rpm");
  EXPECT_EQ(rows.size(), 6u);
  const Json* sid = FindRow(rows, "ORACLE_SID", "/etc/profile.d/oracle.csh");
  ASSERT_NE(sid, nullptr);
  EXPECT_EQ(sid->GetString("value"), "ORCL");
  EXPECT_EQ(FindRow(rows, "ORACLE_PROMPT", "/etc/profile.d/oracle.csh"), nullptr);
  EXPECT_EQ(FindRow(rows, "PROMPT_COMMAND", "/etc/bashrc"), nullptr);
  const Json* proxy = FindRow(rows, "http_proxy", "/home/ops/.bash_profile");
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ(proxy->GetString("value"), "http://ops:********@proxy.corp.example:8080");
  EXPECT_EQ(proxy->GetString("user"), "ops");
}

TEST(EnvVars, CollectsAlpineProfileAndRootDotfiles) {
  const Json rows = CollectFrom(RAMPART_SOURCE_DIR "/tests/testdata/root-alpine");
  EXPECT_EQ(rows.size(), 8u);
  ASSERT_NE(FindRow(rows, "CHARSET", "/etc/profile"), nullptr);
  const Json* cf = FindRow(rows, "CLOUDFLARE_API_KEY", "/root/.profile");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->GetString("value"), "********");
}

}  // namespace
}  // namespace rampart::agent
