#include "server/annotator_service.h"

#include "server/annotator_stats.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"

namespace labelloop {

grpc::Status AnnotatorServiceImpl::GetAnnotatorStats(grpc::ServerContext* context,
                                                     const v1::GetAnnotatorStatsRequest* request,
                                                     v1::GetAnnotatorStatsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::GetAnnotatorStatsResponse> stats = ReadAnnotatorStats(store_, *request);
  if (!stats.ok()) return ToGrpcStatus(stats.status());
  *response = *std::move(stats);
  return grpc::Status::OK;
}

grpc::Status AnnotatorServiceImpl::ListOverlapImages(grpc::ServerContext* context,
                                                     const v1::ListOverlapImagesRequest* request,
                                                     v1::ListOverlapImagesResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::ListOverlapImagesResponse> images = ReadOverlapImages(store_, *request);
  if (!images.ok()) return ToGrpcStatus(images.status());
  *response = *std::move(images);
  return grpc::Status::OK;
}

}  // namespace labelloop
