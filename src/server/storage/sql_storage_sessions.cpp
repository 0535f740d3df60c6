// SqlStorage: console sign-in sessions (web_sessions).

#include "server/storage/sql_storage.h"

namespace rampart::server {

using sql_storage_internal::CheckText;
using sql_storage_internal::Text;

namespace {

constexpr std::string_view kSessionColumns =
    "id, tenant_id, user_id, created_at, last_seen, expires_at, remote_addr";
constexpr std::size_t kMaxId = 64;

WebSession SessionFromRow(const SqlRow& row) {
  WebSession s;
  s.id = row.Text(0);
  s.tenant_id = row.Text(1);
  s.user_id = row.Text(2);
  s.created_at = row.Int(3);
  s.last_seen = row.Int(4);
  s.expires_at = row.Int(5);
  s.remote_addr = row.Text(6);
  return s;
}

}  // namespace

Status SqlStorage::CreateWebSession(const WebSession& session) {
  RAMPART_RETURN_IF_ERROR(CheckText("session id", session.id, kMaxId));
  RAMPART_RETURN_IF_ERROR(CheckText("session user id", session.user_id, kMaxId));
  // An address is at most 45 characters of text; anything longer was not one.
  const std::string addr = session.remote_addr.substr(0, 64);
  const SqlValue params[] = {session.id,
                             session.tenant_id,
                             session.user_id,
                             session.created_at,
                             session.last_seen,
                             session.expires_at,
                             addr};
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue user[] = {session.user_id, session.tenant_id};
    RAMPART_ASSIGN_OR_RETURN(
        auto rows, conn.Query("SELECT id FROM users WHERE id = ? AND tenant_id = ?", user));
    if (rows.empty()) return NotFound("user " + session.user_id + " not found");
    return conn
        .Execute("INSERT INTO web_sessions (" + std::string(kSessionColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                 params)
        .status();
  });
}

Result<WebSession> SqlStorage::GetWebSession(std::string_view session_id) {
  const SqlValue params[] = {Text(session_id)};
  RAMPART_ASSIGN_OR_RETURN(
      auto rows,
      Query("SELECT " + std::string(kSessionColumns) + " FROM web_sessions WHERE id = ?", params));
  if (rows.empty()) return NotFound("session not found");
  return SessionFromRow(rows[0]);
}

Status SqlStorage::TouchWebSession(std::string_view session_id, std::int64_t now) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {now, Text(session_id)};
    RAMPART_ASSIGN_OR_RETURN(
        std::int64_t changed,
        conn.Execute("UPDATE web_sessions SET last_seen = ? WHERE id = ?", params));
    // MySQL counts changed rows, not matched ones: a touch in the same second changes nothing.
    if (changed == 0) {
      const SqlValue id[] = {Text(session_id)};
      RAMPART_ASSIGN_OR_RETURN(auto rows,
                               conn.Query("SELECT 1 FROM web_sessions WHERE id = ?", id));
      if (rows.empty()) return NotFound("session not found");
    }
    return Status::Ok();
  });
}

Status SqlStorage::DeleteWebSession(std::string_view session_id) {
  return InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {Text(session_id)};
    return conn.Execute("DELETE FROM web_sessions WHERE id = ?", params).status();
  });
}

Result<std::int64_t> SqlStorage::PruneWebSessions(std::int64_t now, std::int64_t idle_cutoff) {
  std::int64_t removed = 0;
  const Status status = InTransaction([&](SqlConnection& conn) -> Status {
    const SqlValue params[] = {now, idle_cutoff};
    RAMPART_ASSIGN_OR_RETURN(
        removed,
        conn.Execute("DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen < ?", params));
    return Status::Ok();
  });
  RAMPART_RETURN_IF_ERROR(status);
  return removed;
}

}  // namespace rampart::server
