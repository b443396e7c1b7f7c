#include "server/queue_service.h"

#include "common/label_review.h"
#include "labelloop/v1/model.pb.h"
#include "server/auth/annotator_identity.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"
#include "server/stored_prelabels.h"
#include "spdlog/spdlog.h"

namespace labelloop {

void QueueServiceImpl::AddPrelabels(v1::GetNextBatchResponse* response) {
  if (response->items().empty()) return;
  std::vector<int64_t> image_ids;
  for (const v1::QueueItem& item : response->items()) image_ids.push_back(item.image_id());
  absl::StatusOr<absl::flat_hash_map<int64_t, StoredPrelabels>> stored =
      ReadStoredPrelabels(store_, image_ids);
  if (!stored.ok()) {
    spdlog::warn("no pre-labels for a batch: {}", stored.status().ToString());
    return;
  }
  std::vector<int64_t> unscored;
  for (v1::QueueItem& item : *response->mutable_items()) {
    auto it = stored->find(item.image_id());
    if (it == stored->end()) {
      unscored.push_back(item.image_id());
      continue;
    }
    item.set_model_version(it->second.model_version);
    *item.mutable_predictions() = std::move(it->second.boxes);
  }
  // Never predicted on demand here (see stored_prelabels.h): pool scoring does these next, so
  // the annotator's following batches have pre-labels again.
  if (!unscored.empty() && rescorer_ != nullptr) rescorer_->ScoreFirst(unscored);
}

void QueueServiceImpl::AddRejectionContext(const std::vector<Handout>& handouts,
                                           v1::GetNextBatchResponse* response) {
  std::vector<int64_t> image_ids;
  for (const Handout& h : handouts) {
    if (h.image.label_versions > 0) image_ids.push_back(h.image.id);
  }
  if (image_ids.empty()) return;
  absl::StatusOr<absl::flat_hash_map<int64_t, v1::LabelVersion>> rejected =
      RejectedLatestLabels(store_, image_ids);
  if (!rejected.ok()) {
    spdlog::warn("no review context for a batch: {}", rejected.status().ToString());
    return;
  }
  for (v1::QueueItem& item : *response->mutable_items()) {
    auto it = rejected->find(item.image_id());
    if (it != rejected->end()) *item.mutable_rejected_label() = std::move(it->second);
  }
}

grpc::Status QueueServiceImpl::GetNextBatch(grpc::ServerContext* context,
                                            const v1::GetNextBatchRequest* request,
                                            v1::GetNextBatchResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::string> annotator =
      auth::ActingAnnotator(auth::CallerOf(*context), request->annotator());
  if (!annotator.ok()) return ToGrpcStatus(annotator.status());
  absl::StatusOr<std::vector<Handout>> handouts =
      queue_->Next(request->count(), *annotator, request->lease_seconds());
  if (!handouts.ok()) return ToGrpcStatus(handouts.status());
  for (const Handout& h : *handouts) {
    v1::QueueItem* item = response->add_items();
    item->set_image_id(h.image.id);
    item->set_uri(h.image.uri);
    item->set_width(h.image.width);
    item->set_height(h.image.height);
    item->set_rank(h.rank);
    item->set_score(h.score);
    v1::ScoreParts* parts = item->mutable_score_parts();
    parts->set_uncertainty(h.uncertainty);
    parts->set_diversity(h.diversity);
    parts->set_strategy(h.strategy);
    parts->set_model_version(h.model_version);
    parts->set_stale(h.stale);
    item->set_lease_id(h.lease_id);
    item->set_lease_expires_unix_ms(h.lease_expires_ms);
  }
  AddRejectionContext(*handouts, response);
  if (registry_->Serving() != nullptr) AddPrelabels(response);
  response->set_remaining(static_cast<int64_t>(queue_->Remaining()));
  return grpc::Status::OK;
}

grpc::Status QueueServiceImpl::SubmitLabels(grpc::ServerContext* context,
                                            const v1::SubmitLabelsRequest* request,
                                            v1::SubmitLabelsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<StoredLabel> stored =
      queue_->Submit(request->image_id(), request->lease_id(), request->boxes());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  // A label waiting for review neither trains nor counts towards the next round yet.
  if (!stored->pending) on_labels_stored_(1);
  response->set_status(stored->pending ? v1::LABEL_STATUS_PENDING : v1::LABEL_STATUS_ACCEPTED);
  response->set_label_id(stored->id);
  response->set_version(stored->version);
  return grpc::Status::OK;
}

grpc::Status QueueServiceImpl::Skip(grpc::ServerContext* context, const v1::SkipRequest* request,
                                    v1::SkipResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return ToGrpcStatus(queue_->Skip(request->image_id(), request->lease_id()));
}

grpc::Status QueueServiceImpl::ReleaseLease(grpc::ServerContext* context,
                                            const v1::ReleaseLeaseRequest* request,
                                            v1::ReleaseLeaseResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return ToGrpcStatus(queue_->Release(request->image_id(), request->lease_id()));
}

}  // namespace labelloop

namespace labelloop {

grpc::Status QueueServiceImpl::GetQueueStatus(grpc::ServerContext* context,
                                              const v1::GetQueueStatusRequest* request,
                                              v1::QueueStatus* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  response->set_available(static_cast<int64_t>(queue_->Remaining()));
  auto [scored, waiting] = queue_->ScoredByServing();
  response->set_waiting(static_cast<int64_t>(waiting));
  response->set_leased(static_cast<int64_t>(waiting) - response->available());
  response->set_scored_by_serving(static_cast<int64_t>(scored));
  response->set_strategy(strategy_);
  std::shared_ptr<const ServingModel> model = registry_->Serving();
  if (model != nullptr) response->set_serving_version(model->version());
  RescoreProgress progress = rescorer_->Progress();
  response->set_rescoring_model_version(progress.model_version);
  response->set_rescoring_done(progress.done);
  response->set_rescoring_total(progress.total);
  response->set_rescoring_running(progress.running);
  return grpc::Status::OK;
}

}  // namespace labelloop
