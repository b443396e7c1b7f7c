#ifndef LABELLOOP_SERVER_QUEUE_SERVICE_H_
#define LABELLOOP_SERVER_QUEUE_SERVICE_H_

#include "labelloop/v1/queue.grpc.pb.h"
#include "sampler/label_queue.h"

namespace labelloop {

class QueueServiceImpl final : public v1::QueueService::Service {
 public:
  explicit QueueServiceImpl(LabelQueue* queue) : queue_(queue) {}

  grpc::Status GetNextBatch(grpc::ServerContext* context, const v1::GetNextBatchRequest* request,
                            v1::GetNextBatchResponse* response) override;
  grpc::Status SubmitLabels(grpc::ServerContext* context, const v1::SubmitLabelsRequest* request,
                            v1::SubmitLabelsResponse* response) override;
  grpc::Status Skip(grpc::ServerContext* context, const v1::SkipRequest* request,
                    v1::SkipResponse* response) override;
  grpc::Status ReleaseLease(grpc::ServerContext* context, const v1::ReleaseLeaseRequest* request,
                            v1::ReleaseLeaseResponse* response) override;

 private:
  LabelQueue* const queue_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_QUEUE_SERVICE_H_
