#include "server/job_store.h"

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

absl::StatusOr<std::vector<v1::Job>> ReadJobs(SqliteStatement& query) {
  std::vector<v1::Job> jobs;
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::Job& job = jobs.emplace_back();
    if (!job.ParseFromString(query.ColumnBlob(0))) {
      return absl::DataLossError("a job record in the store cannot be parsed");
    }
  }
  return jobs;
}

}  // namespace

absl::StatusOr<v1::Job> JobStore::Create(v1::Job job) {
  absl::Status status = store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> insert =
        db->Prepare("INSERT INTO jobs(state, created_ms, record) VALUES(?, ?, x'')");
    if (!insert.ok()) return insert.status();
    absl::Status s =
        insert->Bind(1, static_cast<int64_t>(job.state())).Bind(2, job.created_unix_ms()).Run();
    if (!s.ok()) return s;
    job.set_id(db->LastInsertRowId());
    job.mutable_progress()->set_job_id(job.id());
    absl::StatusOr<SqliteStatement> update = db->Prepare("UPDATE jobs SET record = ? WHERE id = ?");
    if (!update.ok()) return update.status();
    return update->BindBlob(1, job.SerializeAsString()).Bind(2, job.id()).Run();
  });
  if (!status.ok()) return status;
  return job;
}

absl::Status JobStore::Update(const v1::Job& job) {
  return store_->Transact([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> update =
        db->Prepare("UPDATE jobs SET state = ?, record = ? WHERE id = ?");
    if (!update.ok()) return update.status();
    return update->Bind(1, static_cast<int64_t>(job.state()))
        .BindBlob(2, job.SerializeAsString())
        .Bind(3, job.id())
        .Run();
  });
}

absl::StatusOr<v1::Job> JobStore::Get(int64_t job_id) {
  absl::StatusOr<std::vector<v1::Job>> jobs;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare("SELECT record FROM jobs WHERE id = ?");
    if (!query.ok()) return query.status();
    query->Bind(1, job_id);
    jobs = ReadJobs(*query);
    return jobs.status();
  });
  if (!status.ok()) return status;
  if (jobs->empty()) return absl::NotFoundError(absl::StrCat("no training job with id ", job_id));
  return jobs->front();
}

absl::StatusOr<std::vector<v1::Job>> JobStore::List(int limit) {
  absl::StatusOr<std::vector<v1::Job>> jobs;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare("SELECT record FROM jobs ORDER BY id DESC LIMIT ?");
    if (!query.ok()) return query.status();
    query->Bind(1, static_cast<int64_t>(limit));
    jobs = ReadJobs(*query);
    return jobs.status();
  });
  if (!status.ok()) return status;
  return jobs;
}

absl::StatusOr<std::vector<v1::Job>> JobStore::InState(v1::JobState state) {
  absl::StatusOr<std::vector<v1::Job>> jobs;
  absl::Status status = store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query =
        db->Prepare("SELECT record FROM jobs WHERE state = ? ORDER BY id");
    if (!query.ok()) return query.status();
    query->Bind(1, static_cast<int64_t>(state));
    jobs = ReadJobs(*query);
    return jobs.status();
  });
  if (!status.ok()) return status;
  return jobs;
}

}  // namespace labelloop
