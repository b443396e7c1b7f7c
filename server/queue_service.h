#ifndef LABELLOOP_SERVER_QUEUE_SERVICE_H_
#define LABELLOOP_SERVER_QUEUE_SERVICE_H_

#include <functional>

#include "labelloop/v1/queue.grpc.pb.h"
#include "sampler/label_queue.h"
#include "sampler/pool_rescorer.h"
#include "server/model_registry.h"

namespace labelloop {

class QueueServiceImpl final : public v1::QueueService::Service {
 public:
  // `on_labels_stored` hears of every stored label (the training trigger counts them).
  QueueServiceImpl(LabelQueue* queue, Store* store, ModelRegistry* registry, PoolRescorer* rescorer,
                   std::string strategy, std::function<void(int64_t)> on_labels_stored)
      : queue_(queue),
        store_(store),
        registry_(registry),
        rescorer_(rescorer),
        strategy_(std::move(strategy)),
        on_labels_stored_(std::move(on_labels_stored)) {}

  grpc::Status GetNextBatch(grpc::ServerContext* context, const v1::GetNextBatchRequest* request,
                            v1::GetNextBatchResponse* response) override;
  grpc::Status SubmitLabels(grpc::ServerContext* context, const v1::SubmitLabelsRequest* request,
                            v1::SubmitLabelsResponse* response) override;
  grpc::Status Skip(grpc::ServerContext* context, const v1::SkipRequest* request,
                    v1::SkipResponse* response) override;
  grpc::Status ReleaseLease(grpc::ServerContext* context, const v1::ReleaseLeaseRequest* request,
                            v1::ReleaseLeaseResponse* response) override;
  grpc::Status GetQueueStatus(grpc::ServerContext* context,
                              const v1::GetQueueStatusRequest* request,
                              v1::QueueStatus* response) override;

 private:
  // Each handed-out image's pre-labels as pool scoring stored them, with the version of the
  // model that predicted them: the serving one, or the one before it until re-scoring reaches
  // the image. Never runs the model: images without stored pre-labels get none and are scored
  // next.
  void AddPrelabels(v1::GetNextBatchResponse* response);
  // The rejected label of each handed-out image a reviewer sent back, as context (one query,
  // for the images that have a label version at all: most hand-outs have none and cost none).
  void AddRejectionContext(const std::vector<Handout>& handouts,
                           v1::GetNextBatchResponse* response);

  LabelQueue* const queue_;
  Store* const store_;
  ModelRegistry* const registry_;
  PoolRescorer* const rescorer_;
  const std::string strategy_;
  const std::function<void(int64_t)> on_labels_stored_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_QUEUE_SERVICE_H_
