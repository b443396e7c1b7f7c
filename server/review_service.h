#ifndef LABELLOOP_SERVER_REVIEW_SERVICE_H_
#define LABELLOOP_SERVER_REVIEW_SERVICE_H_

#include <functional>
#include <mutex>
#include <random>
#include <string>

#include "common/clock.h"
#include "common/store.h"
#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/review.grpc.pb.h"
#include "sampler/label_queue.h"

namespace labelloop {

struct ReviewServiceOptions {
  v1::ReviewConfig config;
  // Edited boxes follow the same rules as submitted ones (LimitsConfig).
  float box_tolerance_pixels = 2.0f;
  int max_boxes_per_image = 2000;
};

// ReviewService over the store (common/label_review.h). A rejected image goes back into the
// queue; an accepted label or an edit is reported to `on_labels_accepted` (the training trigger
// counts accepted labels only).
class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  ReviewServiceImpl(Store* store, LabelQueue* queue, ReviewServiceOptions options,
                    const Clock* clock, std::function<void(int64_t)> on_labels_accepted);

  grpc::Status GetNextReview(grpc::ServerContext* context, const v1::GetNextReviewRequest* request,
                             v1::GetNextReviewResponse* response) override;
  grpc::Status AcceptLabel(grpc::ServerContext* context, const v1::AcceptLabelRequest* request,
                           v1::ReviewedLabel* response) override;
  grpc::Status RejectLabel(grpc::ServerContext* context, const v1::RejectLabelRequest* request,
                           v1::ReviewedLabel* response) override;
  grpc::Status EditLabel(grpc::ServerContext* context, const v1::EditLabelRequest* request,
                         v1::ReviewedLabel* response) override;
  grpc::Status ReleaseReview(grpc::ServerContext* context, const v1::ReleaseReviewRequest* request,
                             v1::ReleaseReviewResponse* response) override;
  grpc::Status GetLabelHistory(grpc::ServerContext* context,
                               const v1::GetLabelHistoryRequest* request,
                               v1::LabelHistory* response) override;

 private:
  std::string NewLeaseId();
  // The pre-labels stored for the image by `model_version`, if pool scoring kept them.
  void AddPrelabels(int64_t image_id, const std::string& model_version, v1::ReviewItem* item);

  Store* const store_;
  LabelQueue* const queue_;
  const ReviewServiceOptions options_;
  const Clock* const clock_;
  const std::function<void(int64_t)> on_labels_accepted_;
  std::mutex rng_mu_;
  std::mt19937_64 lease_id_rng_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_REVIEW_SERVICE_H_
