#ifndef LABELLOOP_SERVER_TRAINING_SERVICE_H_
#define LABELLOOP_SERVER_TRAINING_SERVICE_H_

#include "labelloop/v1/training.grpc.pb.h"
#include "server/training_scheduler.h"

namespace labelloop {

class TrainingServiceImpl final : public v1::TrainingService::Service {
 public:
  explicit TrainingServiceImpl(TrainingScheduler* scheduler) : scheduler_(scheduler) {}

  grpc::Status StartRound(grpc::ServerContext* context, const v1::StartRoundRequest* request,
                          v1::Job* response) override;
  grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                      v1::Job* response) override;
  grpc::Status WatchJob(grpc::ServerContext* context, const v1::WatchJobRequest* request,
                        grpc::ServerWriter<v1::JobProgress>* writer) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::Job* response) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;

 private:
  TrainingScheduler* const scheduler_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_TRAINING_SERVICE_H_
