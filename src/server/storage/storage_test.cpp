// Storage: opening and migrating, tenants, users, API tokens and enrolment tokens. The TEST_P
// suites run on SQLite and on MariaDB (test_db.h).

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <thread>

#include "server/storage/migrations.h"
#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

// ---- OpenStorage (URL handling; SQLite only, no server needed) ----

std::string TempDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/rampart-open-" + name + "-" + wire::RandomId("d");
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(OpenStorage, EmptyUrlCreatesPrivateDataDirWithSqliteFile) {
  const std::string dir = TempDir("default") + "/nested";
  auto storage = OpenStorage("", dir);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_EQ((*storage)->backend(), "sqlite");
  EXPECT_EQ((*storage)->schema_version(), LatestSchemaVersion());
  EXPECT_TRUE(std::filesystem::exists(dir + "/rampart.db"));
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

TEST(OpenStorage, AbsoluteSqliteUrl) {
  const std::string dir = TempDir("abs");
  std::filesystem::create_directories(dir);
  auto storage = OpenStorage("sqlite://" + dir + "/x.db", "/nonexistent");
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir + "/x.db"));
  EXPECT_FALSE(std::filesystem::exists("/nonexistent"));
  std::filesystem::remove_all(dir);
}

TEST(OpenStorage, InMemorySqliteUrl) {
  auto storage = OpenStorage("sqlite://:memory:", "");
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_TRUE((*storage)->CreateTenant("memory-tenant-" + wire::RandomId("x"), 1).ok());
}

TEST(OpenStorage, UnknownSchemeNamesUrlWithPasswordMasked) {
  auto storage = OpenStorage("postgres://admin:hunter2@db.example/rampart", "");
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), Code::kInvalidArgument);
  EXPECT_NE(storage.status().message().find("postgres://admin:***@db.example/rampart"),
            std::string::npos)
      << storage.status().message();
  EXPECT_EQ(storage.status().message().find("hunter2"), std::string::npos);
}

TEST(OpenStorage, UnreachableMysqlErrorNamesUrlWithPasswordMasked) {
  auto storage = OpenStorage("mysql://rampart:s3cret-pw@127.0.0.1:1/rampart", "");
  ASSERT_FALSE(storage.ok());
  EXPECT_NE(storage.status().message().find("mysql://rampart:***@127.0.0.1:1/rampart"),
            std::string::npos)
      << storage.status().message();
  EXPECT_EQ(storage.status().message().find("s3cret-pw"), std::string::npos);
}

TEST(OpenStorage, RelativeSqlitePathIsRefused) {
  auto storage = OpenStorage("sqlite://relative.db", "");
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), Code::kInvalidArgument);
  EXPECT_NE(storage.status().message().find("sqlite://relative.db"), std::string::npos);
}

// ---- Migrations ----

class Migrating : public StorageTest {};

TEST_P(Migrating, ReopenRunsNoMigrationTwice) {
  EXPECT_EQ(storage().schema_version(), LatestSchemaVersion());
  const auto migrations = static_cast<std::int64_t>(Migrations().size());
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM schema_migrations"), migrations);
  ASSERT_TRUE(storage().CreateTenant("kept", 5).ok());
  // Mark the recorded rows: a second run of any migration would add or replace a row.
  auto lease = db().Acquire();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE((*lease)->Execute("UPDATE schema_migrations SET applied_at = 7").ok());

  auto again = OpenStorage(url_, "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->schema_version(), LatestSchemaVersion());
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM schema_migrations"), migrations);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM schema_migrations WHERE applied_at = 7"),
            migrations);
  auto tenants = (*again)->ListTenants();
  ASSERT_TRUE(tenants.ok());
  ASSERT_EQ(tenants->size(), 1u);
  EXPECT_EQ((*tenants)[0].name, "kept");
}

TEST_P(Migrating, DatabaseWithNewerSchemaIsRefused) {
  auto lease = db().Acquire();
  ASSERT_TRUE(lease.ok());
  const int newer = LatestSchemaVersion() + 1;
  ASSERT_TRUE((*lease)
                  ->Execute("INSERT INTO schema_migrations (version, description, applied_at) "
                            "VALUES (" +
                            std::to_string(newer) + ", 'from the future', 9)")
                  .ok());
  auto reopened = OpenStorage(url_, "");
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("database schema " + std::to_string(newer) +
                                             " is newer than this rampart (" +
                                             std::to_string(LatestSchemaVersion()) + ")"),
            std::string::npos)
      << reopened.status().message();
}

TEST_P(Migrating, OlderDatabaseIsUpgradedInOrder) {
  auto fresh_url = MakeTestDatabase(GetParam());
  ASSERT_TRUE(fresh_url.ok());
  auto fresh = OpenDbAt(*fresh_url);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto v1 = RunMigrations(**fresh, 1, Migrations().first(1));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, 1);
  EXPECT_EQ(QueryInt(**fresh, "SELECT COUNT(*) FROM tenants"), 0);

  auto storage = OpenStorage(*fresh_url, "");
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  EXPECT_EQ((*storage)->schema_version(), LatestSchemaVersion());
  EXPECT_EQ(QueryInt(**fresh, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(Migrations().size()));
  EXPECT_EQ(QueryInt(**fresh, "SELECT MIN(applied_at) FROM schema_migrations"), 1);
  EXPECT_EQ(QueryInt(**fresh, "SELECT COUNT(*) FROM hosts"), 0);
}

TEST_P(Migrating, TwoNodesStartingAtOnceMigrateOnce) {
  auto fresh_url = MakeTestDatabase(GetParam());
  ASSERT_TRUE(fresh_url.ok());
  Status results[3];
  std::vector<std::thread> nodes;
  for (auto& result : results) {
    nodes.emplace_back([&result, &fresh_url] { result = OpenStorage(*fresh_url, "").status(); });
  }
  for (auto& t : nodes) t.join();
  for (const auto& result : results) EXPECT_TRUE(result.ok()) << result.ToString();
  auto fresh = OpenDbAt(*fresh_url);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(QueryInt(**fresh, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(Migrations().size()));
}

RAMPART_INSTANTIATE_DB_TEST(Migrating);

// ---- Tenants ----

class Tenants : public StorageTest {};

TEST_P(Tenants, CreateGetAndListByName) {
  Tenant b = MakeTenant("beta");
  Tenant a = MakeTenant("alpha");
  EXPECT_EQ(a.id.rfind("tn_", 0), 0u);
  EXPECT_EQ(a.created_at, 1000);
  auto got = storage().GetTenant(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "beta");
  auto all = storage().ListTenants();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, a.id);
  EXPECT_EQ((*all)[1].id, b.id);
  EXPECT_EQ(storage().backend(), GetParam() == TestBackend::kSqlite ? "sqlite" : "mysql");
}

TEST_P(Tenants, TakenNameIsAlreadyExists) {
  MakeTenant("acme");
  auto again = storage().CreateTenant("acme", 5);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  // Names compare exactly (binary collation on MySQL too).
  EXPECT_TRUE(storage().CreateTenant("ACME", 5).ok());
}

TEST_P(Tenants, MissingTenantIsNotFoundAndBadNamesAreRefused) {
  EXPECT_EQ(storage().GetTenant("tn_missing").status().code(), Code::kNotFound);
  EXPECT_EQ(storage().CreateTenant("", 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(storage().CreateTenant(std::string(256, 'x'), 1).status().code(),
            Code::kInvalidArgument);
}

RAMPART_INSTANTIATE_DB_TEST(Tenants);

// ---- Users ----

class Users : public StorageTest {
 protected:
  User MakeUser(const std::string& tenant_id, const std::string& name, Role role = Role::kAdmin) {
    User user;
    user.tenant_id = tenant_id;
    user.name = name;
    user.role = role;
    user.password_hash = "$argon2id$...";
    auto created = storage().CreateUser(user);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : User{};
  }
};

TEST_P(Users, CreateFillsIdAndCreatedAtAndReadsBack) {
  Tenant t = MakeTenant("t");
  User u = MakeUser(t.id, "alice", Role::kOperator);
  EXPECT_EQ(u.id.rfind("u_", 0), 0u);
  EXPECT_GT(u.created_at, 0);
  auto by_id = storage().GetUser(t.id, u.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->name, "alice");
  EXPECT_EQ(by_id->role, Role::kOperator);
  EXPECT_EQ(by_id->password_hash, "$argon2id$...");
  EXPECT_EQ(by_id->created_at, u.created_at);
  auto by_name = storage().GetUserByName(t.id, "alice");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, u.id);
}

TEST_P(Users, NameIsUniquePerTenantOnly) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  MakeUser(a.id, "root");
  User dup;
  dup.tenant_id = a.id;
  dup.name = "root";
  EXPECT_EQ(storage().CreateUser(dup).status().code(), Code::kAlreadyExists);
  dup.tenant_id = b.id;
  EXPECT_TRUE(storage().CreateUser(dup).ok());
  dup.tenant_id = "tn_missing";
  EXPECT_EQ(storage().CreateUser(dup).status().code(), Code::kNotFound);
}

TEST_P(Users, OtherTenantsUsersAreNotFoundAndNotListed) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  User alice = MakeUser(a.id, "alice");
  MakeUser(b.id, "bob");
  EXPECT_EQ(storage().GetUser(b.id, alice.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().GetUserByName(b.id, "alice").status().code(), Code::kNotFound);
  EXPECT_EQ(storage().DeleteUser(b.id, alice.id, 9).code(), Code::kNotFound);
  EXPECT_TRUE(storage().GetUser(a.id, alice.id).ok());
  auto listed = storage().ListUsers(b.id, PageRequest{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].name, "bob");
}

TEST_P(Users, ListPagesInNameOrder) {
  Tenant t = MakeTenant("t");
  const std::vector<std::string> names = {"gus", "ann", "fay", "bo", "eve", "cy", "dee"};
  for (const auto& n : names) MakeUser(t.id, n);
  std::vector<std::string> seen;
  PageRequest page{3, ""};
  int pages = 0;
  do {
    auto got = storage().ListUsers(t.id, page);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    for (const auto& u : got->items) seen.push_back(u.name);
    page.cursor = got->next_cursor;
    ++pages;
  } while (!page.cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"ann", "bo", "cy", "dee", "eve", "fay", "gus"}));
}

TEST_P(Users, DeleteRevokesTheUsersTokensOnly) {
  Tenant t = MakeTenant("t");
  User u = MakeUser(t.id, "leaver");
  ApiTokenRecord mine;
  mine.tenant_id = t.id;
  mine.user_id = u.id;
  mine.secret_hash = "h";
  ApiTokenRecord old_revoked = mine;
  old_revoked.revoked_at = 50;
  ApiTokenRecord service = mine;
  service.user_id = "";
  auto a = storage().CreateApiToken(mine);
  auto b = storage().CreateApiToken(old_revoked);
  auto c = storage().CreateApiToken(service);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());

  ASSERT_TRUE(storage().DeleteUser(t.id, u.id, 777).ok());
  EXPECT_EQ(storage().GetUser(t.id, u.id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().GetApiToken(a->id)->revoked_at, 777);
  EXPECT_EQ(storage().GetApiToken(b->id)->revoked_at, 50);
  EXPECT_EQ(storage().GetApiToken(c->id)->revoked_at, 0);
  EXPECT_EQ(storage().DeleteUser(t.id, u.id, 778).code(), Code::kNotFound);
}

RAMPART_INSTANTIATE_DB_TEST(Users);

// ---- API and enrolment tokens ----

class Tokens : public StorageTest {
 protected:
  ApiTokenRecord MakeApiToken(const std::string& tenant_id, std::int64_t created_at) {
    ApiTokenRecord token;
    token.tenant_id = tenant_id;
    token.role = Role::kViewer;
    token.secret_hash = "hash";
    token.description = "ci";
    token.created_at = created_at;
    token.expires_at = created_at + 100;
    auto created = storage().CreateApiToken(token);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : ApiTokenRecord{};
  }
};

TEST_P(Tokens, ApiTokenRoundTripsAndRevokesOnce) {
  Tenant t = MakeTenant("t");
  ApiTokenRecord token = MakeApiToken(t.id, 10);
  EXPECT_EQ(token.id.rfind("tk_", 0), 0u);
  auto got = storage().GetApiToken(token.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tenant_id, t.id);
  EXPECT_EQ(got->role, Role::kViewer);
  EXPECT_EQ(got->description, "ci");
  EXPECT_EQ(got->expires_at, 110);
  EXPECT_EQ(got->revoked_at, 0);
  ASSERT_TRUE(storage().RevokeApiToken(t.id, token.id, 20).ok());
  ASSERT_TRUE(storage().RevokeApiToken(t.id, token.id, 30).ok());
  EXPECT_EQ(storage().GetApiToken(token.id)->revoked_at, 20);
  EXPECT_EQ(storage().GetApiToken("tk_missing").status().code(), Code::kNotFound);
}

TEST_P(Tokens, OtherTenantCannotListOrRevoke) {
  Tenant a = MakeTenant("a");
  Tenant b = MakeTenant("b");
  ApiTokenRecord api = MakeApiToken(a.id, 10);
  EnrollTokenRecord enroll = MakeEnrollToken(a.id);
  EXPECT_EQ(storage().RevokeApiToken(b.id, api.id, 5).code(), Code::kNotFound);
  EXPECT_EQ(storage().RevokeEnrollToken(b.id, enroll.id, 5).code(), Code::kNotFound);
  EXPECT_EQ(storage().GetApiToken(api.id)->revoked_at, 0);
  EXPECT_EQ(storage().GetEnrollToken(enroll.id)->revoked_at, 0);
  EXPECT_TRUE(storage().ListApiTokens(b.id, {})->items.empty());
  EXPECT_TRUE(storage().ListEnrollTokens(b.id, {})->items.empty());
  // A token cannot be tied to a user of another tenant.
  User user;
  user.tenant_id = b.id;
  user.name = "bob";
  auto bob = storage().CreateUser(user);
  ASSERT_TRUE(bob.ok());
  ApiTokenRecord cross;
  cross.tenant_id = a.id;
  cross.user_id = bob->id;
  EXPECT_EQ(storage().CreateApiToken(cross).status().code(), Code::kNotFound);
}

TEST_P(Tokens, ListsPageByCreationTime) {
  Tenant t = MakeTenant("t");
  std::set<std::string> made;
  for (int i = 0; i < 5; ++i) made.insert(MakeApiToken(t.id, 100 - i % 2).id);
  std::set<std::string> seen;
  std::int64_t last_created = 0;
  PageRequest page{2, ""};
  for (int pages = 0; pages < 5; ++pages) {
    auto got = storage().ListApiTokens(t.id, page);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    for (const auto& tok : got->items) {
      EXPECT_GE(tok.created_at, last_created);
      last_created = tok.created_at;
      EXPECT_TRUE(seen.insert(tok.id).second) << "duplicate " << tok.id;
    }
    page.cursor = got->next_cursor;
    if (page.cursor.empty()) break;
  }
  EXPECT_EQ(seen, made);
}

TEST_P(Tokens, EnrollTokenRoundTripsAndRevokes) {
  Tenant t = MakeTenant("t");
  EnrollTokenRecord token = MakeEnrollToken(t.id, 5000);
  EXPECT_EQ(token.id.rfind("et_", 0), 0u);
  auto got = storage().GetEnrollToken(token.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tenant_id, t.id);
  EXPECT_EQ(got->expires_at, 5000);
  EXPECT_EQ(got->uses, 0);
  auto listed = storage().ListEnrollTokens(t.id, {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  ASSERT_TRUE(storage().RevokeEnrollToken(t.id, token.id, 60).ok());
  EXPECT_EQ(storage().GetEnrollToken(token.id)->revoked_at, 60);
  EXPECT_EQ(storage().GetEnrollToken("et_missing").status().code(), Code::kNotFound);
  EXPECT_EQ(storage().CreateEnrollToken(EnrollTokenRecord{}).status().code(), Code::kNotFound);
}

TEST_P(Tokens, CursorOfAnotherListIsRejected) {
  Tenant t = MakeTenant("t");
  for (int i = 0; i < 3; ++i) MakeApiToken(t.id, i);
  auto first = storage().ListApiTokens(t.id, PageRequest{1, ""});
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_cursor.empty());
  auto users = storage().ListUsers(t.id, PageRequest{1, first->next_cursor});
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(users.status().message().rfind("cursor: ", 0), 0u) << users.status().message();
  auto enroll = storage().ListEnrollTokens(t.id, PageRequest{1, first->next_cursor});
  EXPECT_EQ(enroll.status().code(), Code::kInvalidArgument);
}

RAMPART_INSTANTIATE_DB_TEST(Tokens);

}  // namespace
}  // namespace rampart::server
