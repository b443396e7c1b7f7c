#include "server/review_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/box_validation.h"
#include "common/label_review.h"
#include "labelloop/v1/model.pb.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"

namespace labelloop {
namespace {

// The reviewer a call acts as: with tokens always the caller (a request may repeat its name),
// without them the request's reviewer, which is then required.
absl::StatusOr<std::string> ActingReviewer(const grpc::ServerContext& context,
                                           const std::string& requested) {
  std::optional<auth::Caller> caller = auth::CallerOf(context);
  if (caller.has_value()) {
    if (!requested.empty() && requested != caller->name) {
      return absl::PermissionDeniedError(absl::StrCat(
          "reviewer '", requested, "' is not the caller '", caller->name, "'; leave it empty"));
    }
    return caller->name;
  }
  if (requested.empty()) return absl::InvalidArgumentError("reviewer is required");
  return requested;
}

}  // namespace

ReviewServiceImpl::ReviewServiceImpl(Store* store, LabelQueue* queue, ReviewServiceOptions options,
                                     const Clock* clock,
                                     std::function<void(int64_t)> on_labels_accepted)
    : store_(store),
      queue_(queue),
      options_(std::move(options)),
      clock_(clock),
      on_labels_accepted_(std::move(on_labels_accepted)),
      lease_id_rng_(std::random_device()()) {}

std::string ReviewServiceImpl::NewLeaseId() {
  std::lock_guard<std::mutex> lock(rng_mu_);
  uint64_t parts[2] = {lease_id_rng_(), lease_id_rng_()};
  return absl::StrCat("r", absl::BytesToHexString(absl::string_view(
                               reinterpret_cast<const char*>(parts), sizeof(parts))));
}

void ReviewServiceImpl::AddPrelabels(int64_t image_id, const std::string& model_version,
                                     v1::ReviewItem* item) {
  if (model_version.empty()) return;
  // Best effort: pre-labels are context for the reviewer, not part of the decision.
  (void)store_->Read([&](SqliteDb* db) -> absl::Status {
    absl::StatusOr<SqliteStatement> query = db->Prepare(
        "SELECT predictions FROM image_scores WHERE image_id = ? AND model_version = ?");
    if (!query.ok()) return query.status();
    query->Bind(1, image_id).Bind(2, model_version);
    absl::StatusOr<bool> row = query->Step();
    if (!row.ok() || !*row) return absl::OkStatus();
    v1::PredictResponse predictions;
    if (predictions.ParseFromString(query->ColumnBlob(0))) {
      *item->mutable_prelabels() = predictions.detections();
    }
    return absl::OkStatus();
  });
}

grpc::Status ReviewServiceImpl::GetNextReview(grpc::ServerContext* context,
                                              const v1::GetNextReviewRequest* request,
                                              v1::GetNextReviewResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::string> reviewer = ActingReviewer(*context, request->reviewer());
  if (!reviewer.ok()) return ToGrpcStatus(reviewer.status());
  const int max_seconds = options_.config.max_lease_seconds();
  if (request->lease_seconds() < 0 || request->lease_seconds() > max_seconds) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "lease_seconds must be in [0, ", max_seconds, "] (0: ", options_.config.lease_seconds(),
        "), got ", request->lease_seconds())));
  }
  const int seconds =
      request->lease_seconds() > 0 ? request->lease_seconds() : options_.config.lease_seconds();
  const int64_t now_ms = clock_->NowMs();
  absl::StatusOr<std::optional<ReviewHandout>> handout =
      LeaseNextReview(store_, *reviewer, NewLeaseId(), now_ms + seconds * 1000LL, now_ms);
  if (!handout.ok()) return ToGrpcStatus(handout.status());
  if (!handout->has_value()) {
    absl::StatusOr<int64_t> pending = CountFreePendingLabels(store_, now_ms);
    if (pending.ok()) response->set_pending(*pending);
    return grpc::Status::OK;
  }
  ReviewHandout& h = **handout;
  v1::ReviewItem* item = response->mutable_item();
  *item->mutable_label() = std::move(h.label);
  item->set_uri(h.uri);
  item->set_width(h.width);
  item->set_height(h.height);
  item->set_lease_id(h.lease_id);
  item->set_lease_expires_unix_ms(h.lease_expires_ms);
  AddPrelabels(item->label().image_id(), item->label().prelabel_model_version(), item);
  response->set_pending(h.pending_left);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::AcceptLabel(grpc::ServerContext* context,
                                            const v1::AcceptLabelRequest* request,
                                            v1::ReviewedLabel* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::LabelVersion> accepted =
      labelloop::AcceptLabel(store_, request->label_id(), request->lease_id(), clock_->NowMs());
  if (!accepted.ok()) return ToGrpcStatus(accepted.status());
  on_labels_accepted_(1);
  *response->mutable_label() = *std::move(accepted);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::RejectLabel(grpc::ServerContext* context,
                                            const v1::RejectLabelRequest* request,
                                            v1::ReviewedLabel* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::LabelVersion> rejected = labelloop::RejectLabel(
      store_, request->label_id(), request->lease_id(), request->reason(), clock_->NowMs());
  if (!rejected.ok()) return ToGrpcStatus(rejected.status());
  // Back to annotation; GetNextBatch hands it out with the rejected label as context.
  queue_->AddImages({rejected->image_id()});
  *response->mutable_label() = *std::move(rejected);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::EditLabel(grpc::ServerContext* context,
                                          const v1::EditLabelRequest* request,
                                          v1::ReviewedLabel* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<int64_t> image_id = LabelImage(store_, request->label_id());
  if (!image_id.ok()) return ToGrpcStatus(image_id.status());
  absl::StatusOr<StoredImage> image = store_->GetImage(*image_id, 0);
  if (!image.ok()) return ToGrpcStatus(image.status());
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> class_ids = store_->ClassIds();
  if (!class_ids.ok()) return ToGrpcStatus(class_ids.status());
  BoxRules rules{image->width, image->height, options_.box_tolerance_pixels,
                 options_.max_boxes_per_image};
  absl::StatusOr<std::vector<ValidBox>> boxes = ValidateBoxes(request->boxes(), rules, *class_ids);
  if (!boxes.ok()) return ToGrpcStatus(boxes.status());
  absl::StatusOr<EditedLabel> edited = labelloop::EditLabel(
      store_, request->label_id(), request->lease_id(), *boxes, clock_->NowMs());
  if (!edited.ok()) return ToGrpcStatus(edited.status());
  on_labels_accepted_(1);
  *response->mutable_label() = std::move(edited->closed);
  *response->mutable_edited() = std::move(edited->edited);
  return grpc::Status::OK;
}

grpc::Status ReviewServiceImpl::ReleaseReview(grpc::ServerContext* context,
                                              const v1::ReleaseReviewRequest* request,
                                              v1::ReleaseReviewResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  return ToGrpcStatus(labelloop::ReleaseReview(store_, request->label_id(), request->lease_id()));
}

grpc::Status ReviewServiceImpl::GetLabelHistory(grpc::ServerContext* context,
                                                const v1::GetLabelHistoryRequest* request,
                                                v1::LabelHistory* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::vector<v1::LabelVersion>> versions =
      LabelHistory(store_, request->image_id());
  if (!versions.ok()) return ToGrpcStatus(versions.status());
  response->set_image_id(request->image_id());
  for (v1::LabelVersion& version : *versions) *response->add_versions() = std::move(version);
  return grpc::Status::OK;
}

}  // namespace labelloop
