// Storage: console sign-in sessions, on SQLite and on MariaDB.

#include "server/storage/storage_test_fixture.h"

namespace rampart::server {
namespace {

class WebSessions : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (IsSkipped()) return;
    tenant_ = MakeTenant("acme");
    User user;
    user.tenant_id = tenant_.id;
    user.name = "alice";
    user.role = Role::kAdmin;
    user.password_hash = "h";
    auto created = storage().CreateUser(user);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    user_ = *created;
  }

  WebSession Make(const std::string& id, std::int64_t now, std::int64_t expires_at) {
    WebSession s;
    s.id = id;
    s.tenant_id = tenant_.id;
    s.user_id = user_.id;
    s.created_at = now;
    s.last_seen = now;
    s.expires_at = expires_at;
    s.remote_addr = "192.0.2.7";
    return s;
  }

  Tenant tenant_;
  User user_;
};

TEST_P(WebSessions, CreateGetTouchDelete) {
  const std::string id(64, 'a');
  ASSERT_TRUE(storage().CreateWebSession(Make(id, 1000, 5000)).ok());
  auto got = storage().GetWebSession(id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->tenant_id, tenant_.id);
  EXPECT_EQ(got->user_id, user_.id);
  EXPECT_EQ(got->last_seen, 1000);
  EXPECT_EQ(got->expires_at, 5000);
  EXPECT_EQ(got->remote_addr, "192.0.2.7");

  ASSERT_TRUE(storage().TouchWebSession(id, 1200).ok());
  ASSERT_TRUE(storage().TouchWebSession(id, 1200).ok());  // unchanged row is still found
  EXPECT_EQ(storage().GetWebSession(id)->last_seen, 1200);

  ASSERT_TRUE(storage().DeleteWebSession(id).ok());
  EXPECT_EQ(storage().GetWebSession(id).status().code(), Code::kNotFound);
  EXPECT_EQ(storage().TouchWebSession(id, 1300).code(), Code::kNotFound);
  EXPECT_TRUE(storage().DeleteWebSession(id).ok());  // idempotent
}

TEST_P(WebSessions, RefusesAnUnknownUserOrAnotherTenantsUser) {
  WebSession s = Make(std::string(64, 'b'), 1000, 5000);
  s.user_id = "u_missing";
  EXPECT_EQ(storage().CreateWebSession(s).code(), Code::kNotFound);
  Tenant other = MakeTenant("other");
  s = Make(std::string(64, 'b'), 1000, 5000);
  s.tenant_id = other.id;
  EXPECT_EQ(storage().CreateWebSession(s).code(), Code::kNotFound);
}

TEST_P(WebSessions, PruneRemovesExpiredAndIdleOnly) {
  ASSERT_TRUE(storage().CreateWebSession(Make(std::string(64, '1'), 1000, 2000)).ok());  // expired
  ASSERT_TRUE(storage().CreateWebSession(Make(std::string(64, '2'), 1000, 9000)).ok());  // idle
  ASSERT_TRUE(storage().CreateWebSession(Make(std::string(64, '3'), 1000, 9000)).ok());  // live
  ASSERT_TRUE(storage().TouchWebSession(std::string(64, '3'), 2400).ok());
  auto removed = storage().PruneWebSessions(/*now=*/2500, /*idle_cutoff=*/2100);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(storage().GetWebSession(std::string(64, '3')).ok());
}

TEST_P(WebSessions, DeletingTheUserEndsTheirSessions) {
  const std::string id(64, 'c');
  ASSERT_TRUE(storage().CreateWebSession(Make(id, 1000, 5000)).ok());
  ASSERT_TRUE(storage().DeleteUser(tenant_.id, user_.id, 1100).ok());
  EXPECT_EQ(storage().GetWebSession(id).status().code(), Code::kNotFound);
}

RAMPART_INSTANTIATE_DB_TEST(WebSessions);

}  // namespace
}  // namespace rampart::server
