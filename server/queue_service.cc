#include "server/queue_service.h"

#include "server/grpc_status.h"

namespace labelloop {

grpc::Status QueueServiceImpl::GetNextBatch(grpc::ServerContext* context,
                                            const v1::GetNextBatchRequest* request,
                                            v1::GetNextBatchResponse* response) {
  absl::StatusOr<std::vector<Handout>> handouts =
      queue_->Next(request->count(), request->annotator(), request->lease_seconds());
  if (!handouts.ok()) return ToGrpcStatus(handouts.status());
  for (const Handout& h : *handouts) {
    v1::QueueItem* item = response->add_items();
    item->set_image_id(h.image.id);
    item->set_uri(h.image.uri);
    item->set_width(h.image.width);
    item->set_height(h.image.height);
    item->set_rank(h.rank);
    item->set_score(h.score);
    item->mutable_score_parts()->set_strategy(h.strategy);
    item->set_lease_id(h.lease_id);
    item->set_lease_expires_unix_ms(h.lease_expires_ms);
  }
  response->set_remaining(static_cast<int64_t>(queue_->Remaining()));
  return grpc::Status::OK;
}

grpc::Status QueueServiceImpl::SubmitLabels(grpc::ServerContext* context,
                                            const v1::SubmitLabelsRequest* request,
                                            v1::SubmitLabelsResponse* response) {
  absl::StatusOr<StoredLabel> stored =
      queue_->Submit(request->image_id(), request->lease_id(), request->boxes());
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  response->set_label_id(stored->id);
  response->set_version(stored->version);
  return grpc::Status::OK;
}

grpc::Status QueueServiceImpl::Skip(grpc::ServerContext* context, const v1::SkipRequest* request,
                                    v1::SkipResponse* response) {
  return ToGrpcStatus(queue_->Skip(request->image_id(), request->lease_id()));
}

grpc::Status QueueServiceImpl::ReleaseLease(grpc::ServerContext* context,
                                            const v1::ReleaseLeaseRequest* request,
                                            v1::ReleaseLeaseResponse* response) {
  return ToGrpcStatus(queue_->Release(request->image_id(), request->lease_id()));
}

}  // namespace labelloop
