#include "server/suspect_service.h"

#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"
#include "server/suspect_store.h"

namespace labelloop {

grpc::Status SuspectServiceImpl::ListSuspectLabels(grpc::ServerContext* context,
                                                   const v1::ListSuspectLabelsRequest* request,
                                                   v1::ListSuspectLabelsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::vector<v1::Suspect>> suspects = ListSuspects(store_, *request);
  if (!suspects.ok()) return ToGrpcStatus(suspects.status());
  for (v1::Suspect& suspect : *suspects) *response->add_suspects() = std::move(suspect);
  if (scanner_ != nullptr) {
    const SuspectScanProgress progress = scanner_->Progress();
    response->set_model_version(progress.model_version);
    response->set_images_checked(progress.checked);
    response->set_images_total(progress.total);
    response->set_scanning(progress.running);
  }
  return grpc::Status::OK;
}

grpc::Status SuspectServiceImpl::ReviewSuspect(grpc::ServerContext* context,
                                               const v1::ReviewSuspectRequest* request,
                                               v1::Suspect* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::Suspect> reviewed = labelloop::ReviewSuspect(
      store_, request->suspect_id(), request->status(), request->reviewer(), clock_->NowMs());
  if (!reviewed.ok()) return ToGrpcStatus(reviewed.status());
  *response = *std::move(reviewed);
  return grpc::Status::OK;
}

}  // namespace labelloop
