#include "server/training_service.h"

#include "absl/strings/str_cat.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"

namespace labelloop {
grpc::Status TrainingServiceImpl::StartRound(grpc::ServerContext* context,
                                             const v1::StartRoundRequest* request,
                                             v1::Job* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::Job> job = scheduler_->StartRound("manual", request->reset_weights());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = *std::move(job);
  return grpc::Status::OK;
}

grpc::Status TrainingServiceImpl::GetJob(grpc::ServerContext* context,
                                         const v1::GetJobRequest* request, v1::Job* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::Job> job = scheduler_->Get(request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = *std::move(job);
  return grpc::Status::OK;
}

grpc::Status TrainingServiceImpl::WatchJob(grpc::ServerContext* context,
                                           const v1::WatchJobRequest* request,
                                           grpc::ServerWriter<v1::JobProgress>* writer) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  int64_t seen = -1;
  while (!context->IsCancelled()) {
    absl::StatusOr<v1::Job> job =
        scheduler_->WaitForChange(request->job_id(), &seen, std::chrono::milliseconds(1000));
    if (!job.ok()) return ToGrpcStatus(job.status());
    v1::JobProgress progress = job->progress();
    progress.set_job_id(job->id());
    progress.set_state(job->state());
    if (!writer->Write(progress)) return grpc::Status(grpc::StatusCode::CANCELLED, "watcher left");
    if (IsTerminalJobState(job->state())) return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "watcher left");
}

grpc::Status TrainingServiceImpl::CancelJob(grpc::ServerContext* context,
                                            const v1::CancelJobRequest* request,
                                            v1::Job* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::Status status = scheduler_->Cancel(request->job_id());
  if (!status.ok()) return ToGrpcStatus(status);
  absl::StatusOr<v1::Job> job = scheduler_->Get(request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *response = *std::move(job);
  return grpc::Status::OK;
}

grpc::Status TrainingServiceImpl::ListJobs(grpc::ServerContext* context,
                                           const v1::ListJobsRequest* request,
                                           v1::ListJobsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  int limit = request->limit() == 0 ? 50 : request->limit();
  if (limit < 0 || limit > 10000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit must be in [1, 10000], got ", request->limit()));
  }
  absl::StatusOr<std::vector<v1::Job>> jobs = scheduler_->List(limit);
  if (!jobs.ok()) return ToGrpcStatus(jobs.status());
  for (v1::Job& job : *jobs) *response->add_jobs() = std::move(job);
  return grpc::Status::OK;
}

}  // namespace labelloop
