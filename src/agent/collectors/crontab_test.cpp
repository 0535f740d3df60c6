#include "agent/collectors/crontab.h"

#include <gtest/gtest.h>

#include <string>

namespace rampart::agent {
namespace {

TEST(CronLine, ParsesSystemLineWithUserField) {
  auto e = ParseCronLine("17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->schedule, "17 * * * *");
  EXPECT_EQ(e->user, "root");
  EXPECT_EQ(e->command, "cd / && run-parts --report /etc/cron.hourly");
  EXPECT_EQ(e->stdin_text, "");
}

TEST(CronLine, UserCrontabHasNoUserField) {
  auto e = ParseCronLine("*/10 * * * * /home/alice/bin/poll.sh --x", false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->schedule, "*/10 * * * *");
  EXPECT_EQ(e->user, "");
  EXPECT_EQ(e->command, "/home/alice/bin/poll.sh --x");
}

TEST(CronLine, AcceptsSpecials) {
  for (const char* s : {"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily",
                        "@midnight", "@hourly"}) {
    auto e = ParseCronLine(std::string(s) + " root /bin/job", true);
    ASSERT_TRUE(e) << s;
    EXPECT_EQ(e->schedule, s);
    EXPECT_EQ(e->user, "root");
    EXPECT_EQ(e->command, "/bin/job");
  }
  EXPECT_FALSE(ParseCronLine("@every5m root /bin/job", true));
  EXPECT_FALSE(ParseCronLine("@reboot root", true));
}

TEST(CronLine, AcceptsRangesStepsListsAndNames) {
  auto e = ParseCronLine("0 9-17/2 * jan,Jul mon-fri deploy /opt/sync", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->schedule, "0 9-17/2 * jan,Jul mon-fri");
  EXPECT_EQ(e->user, "deploy");
  EXPECT_TRUE(ParseCronLine("0 0 * * 7 /bin/sunday", false));
  EXPECT_TRUE(ParseCronLine("0,30 0-23 1-31 1-12 0-7 /bin/all", false));
  EXPECT_TRUE(ParseCronLine("5/15 * * DEC SUN /bin/x", false));
}

TEST(CronField, RejectsOutOfRangeValuesAndBadNames) {
  EXPECT_FALSE(ValidCronField("60", 0));
  EXPECT_FALSE(ValidCronField("24", 1));
  EXPECT_FALSE(ValidCronField("0", 2));
  EXPECT_FALSE(ValidCronField("13", 3));
  EXPECT_FALSE(ValidCronField("8", 4));
  EXPECT_FALSE(ValidCronField("mon", 3));  // a day name in the month field
  EXPECT_FALSE(ValidCronField("jan", 0));
  EXPECT_FALSE(ValidCronField("*/0", 0));
  EXPECT_FALSE(ValidCronField("1,", 0));
  EXPECT_FALSE(ValidCronField("-5", 0));
  EXPECT_FALSE(ValidCronField("", 0));
  EXPECT_TRUE(ValidCronField("*/5", 0));
  EXPECT_TRUE(ValidCronField("Mon-Fri", 4));
}

TEST(CronLine, SplitsCommandAtFirstUnescapedPercent) {
  auto e = ParseCronLine("0 0 * * * root mail -s \"report\" ops%Hello,%the end.%", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->command, "mail -s \"report\" ops");
  EXPECT_EQ(e->stdin_text, "Hello,\nthe end.\n");
  e = ParseCronLine("15 4 * * * root gzip > /b/db-$(date +\\%F).gz", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->command, "gzip > /b/db-$(date +%F).gz");
  EXPECT_EQ(e->stdin_text, "");
  EXPECT_FALSE(ParseCronLine("0 0 * * * root %only stdin", true));
  e = ParseCronLine("0 0 * * * root /bin/cat  %x", true);  // blanks before '%' are not the command
  ASSERT_TRUE(e);
  EXPECT_EQ(e->command, "/bin/cat");
  EXPECT_EQ(e->stdin_text, "x");
}

TEST(CronLine, SkipsCommentsBlanksAndEnvironmentLines) {
  EXPECT_FALSE(ParseCronLine("", true));
  EXPECT_FALSE(ParseCronLine("   \t", true));
  EXPECT_FALSE(ParseCronLine("# 0 0 * * * root /bin/x", true));
  EXPECT_FALSE(ParseCronLine("  # indented comment", true));
  EXPECT_FALSE(ParseCronLine("SHELL=/bin/sh", true));
  EXPECT_FALSE(ParseCronLine("MAILTO = root", true));
  EXPECT_FALSE(ParseCronLine("PATH=/usr/bin:/bin", false));
  EXPECT_TRUE(IsCronEnvLine("CRON_TZ=UTC"));
  EXPECT_TRUE(IsCronEnvLine("MAILTO = \"\""));
  EXPECT_FALSE(IsCronEnvLine("*/5 * * * * FOO=bar /bin/x"));
  // An assignment inside the command is not an environment line.
  auto e = ParseCronLine("*/5 * * * * root FOO=bar /bin/x", true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->command, "FOO=bar /bin/x");
}

TEST(CronLine, RejectsTooFewFieldsAndMissingCommand) {
  EXPECT_FALSE(ParseCronLine("* * * *", true));
  EXPECT_FALSE(ParseCronLine("* * * * *", false));
  EXPECT_FALSE(ParseCronLine("5 4 * * * root", true));
  EXPECT_FALSE(ParseCronLine("5 4 * * * root    ", true));
  EXPECT_FALSE(ParseCronLine("5 4", false));
}

TEST(CronLine, RejectsGarbageNulBytesAndOverlongLines) {
  EXPECT_FALSE(ParseCronLine(std::string("0 0 * * * root /bin/a\0b", 23), true));
  EXPECT_FALSE(
      ParseCronLine("\x7f"
                    "ELF\x02\x01 * * * * root /x",
                    true));
  EXPECT_FALSE(ParseCronLine("\xff\xfe\x9c 1 2 3 4 root /bin/x", true));
  EXPECT_FALSE(ParseCronLine("0 0 * * * root /bin/" + std::string(kMaxCronLine, 'a'), true));
  EXPECT_TRUE(ParseCronLine("0 0 * * * root /bin/" + std::string(1000, 'a'), true));
}

TEST(Crontab, KeepsLineNumbersAndSkipsBadLines) {
  const auto entries = ParseCrontab(
      "# header\nMAILTO=root\n*/5 * * * * /bin/a\n\ngarbage here\n@daily /bin/b\r\n", false);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].line, 3u);
  EXPECT_EQ(entries[0].command, "/bin/a");
  EXPECT_EQ(entries[1].line, 6u);
  EXPECT_EQ(entries[1].schedule, "@daily");
  EXPECT_EQ(entries[1].command, "/bin/b");
}

TEST(Crontab, BoundsEntries) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "* * * * * /bin/x\n";
  EXPECT_EQ(ParseCrontab(text, false, 10).size(), 10u);
}

TEST(Anacrontab, ParsesJobsAndSkipsEnvironment) {
  const auto entries = ParseAnacrontab(
      "SHELL=/bin/sh\nRANDOM_DELAY=45\nSTART_HOURS_RANGE=3-22\n# period delay id command\n"
      "1\t5\tcron.daily\tnice run-parts /etc/cron.daily\n"
      "@monthly 45\tcron.monthly\t\trun-parts /etc/cron.monthly\n"
      "x 5 bad /bin/x\n1 y bad /bin/x\n1 5 bad/id /bin/x\n7 10 cron.weekly\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].period, "1");
  EXPECT_EQ(entries[0].delay, "5");
  EXPECT_EQ(entries[0].job_id, "cron.daily");
  EXPECT_EQ(entries[0].command, "nice run-parts /etc/cron.daily");
  EXPECT_EQ(entries[0].line, 5u);
  EXPECT_EQ(entries[1].period, "@monthly");
  EXPECT_EQ(entries[1].command, "run-parts /etc/cron.monthly");
}

TEST(AtJobName, DecodesQueueJobNumberAndRunTime) {
  auto n = ParseAtJobName("a0000101a2b3c4");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->queue, 'a');
  EXPECT_EQ(n->job, 1u);
  EXPECT_EQ(n->run_time, std::int64_t{0x01a2b3c4} * 60);  // 2022-03-04T14:28:00Z
  EXPECT_FALSE(n->running);
  n = ParseAtJobName("=b00fff01b2c3d4");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->running);
  EXPECT_EQ(n->queue, 'b');
  EXPECT_EQ(n->job, 0xfffu);
  EXPECT_FALSE(ParseAtJobName(".SEQ"));
  EXPECT_FALSE(ParseAtJobName("a0000101a2b3c"));    // too short
  EXPECT_FALSE(ParseAtJobName("a0000101a2b3c4x"));  // too long
  EXPECT_FALSE(ParseAtJobName("10000101a2b3c4"));   // queue must be a letter
  EXPECT_FALSE(ParseAtJobName("a00g0101a2b3c4"));   // not hex
  EXPECT_FALSE(ParseAtJobName("a00001-1a2b3c4"));
}

TEST(AtJob, ExtractsUidMailAndHeredocCommands) {
  const AtJob job = ParseAtJob(
      "#!/bin/sh\n# atrun uid=1000 gid=1001\n# mail alice 0\numask 22\n"
      "HOME=/home/alice; export HOME\ncd /home/alice || {\n\t echo 'inaccessible' >&2\n\t exit "
      "1\n}\n"
      "${SHELL:-/bin/sh} << 'marcinDELIMITER5c1d0a6e'\n/bin/one --apply\n\necho done | wall\n"
      "marcinDELIMITER5c1d0a6e\n");
  ASSERT_TRUE(job.uid);
  EXPECT_EQ(*job.uid, 1000u);
  ASSERT_TRUE(job.gid);
  EXPECT_EQ(*job.gid, 1001u);
  EXPECT_EQ(job.mail_user, "alice");
  EXPECT_EQ(job.command, "/bin/one --apply; echo done | wall");
}

TEST(AtJob, OlderFormatTakesLinesAfterTheCdBlock) {
  const AtJob job = ParseAtJob(
      "#!/bin/sh\n# atrun uid=0 gid=0\n# mail root 0\numask 22\nPATH=/bin; export PATH\n"
      "cd /root || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n"
      "/usr/sbin/reboot\n");
  EXPECT_EQ(job.uid.value_or(99), 0u);
  EXPECT_EQ(job.command, "/usr/sbin/reboot");
}

TEST(AtJob, SurvivesGarbage) {
  const AtJob job = ParseAtJob(std::string("\0\xff# atrun uid=zz\n", 17));
  EXPECT_FALSE(job.uid);
  EXPECT_EQ(job.command, "");
  // Without atd's markers only a shell script counts, and lines with NUL bytes never do.
  EXPECT_EQ(ParseAtJob("\x7f"
                       "ELF\x02\x01 junk\nmore junk\n")
                .command,
            "");
  EXPECT_EQ(ParseAtJob(std::string("#!/bin/sh\n/bin/a\n/bin/\0b\n", 25)).command, "/bin/a");
}

}  // namespace
}  // namespace rampart::agent
