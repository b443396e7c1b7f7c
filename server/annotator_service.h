#ifndef LABELLOOP_SERVER_ANNOTATOR_SERVICE_H_
#define LABELLOOP_SERVER_ANNOTATOR_SERVICE_H_

#include "common/store.h"
#include "labelloop/v1/annotators.grpc.pb.h"

namespace labelloop {

class AnnotatorServiceImpl final : public v1::AnnotatorService::Service {
 public:
  explicit AnnotatorServiceImpl(Store* store) : store_(store) {}

  grpc::Status GetAnnotatorStats(grpc::ServerContext* context,
                                 const v1::GetAnnotatorStatsRequest* request,
                                 v1::GetAnnotatorStatsResponse* response) override;
  grpc::Status ListOverlapImages(grpc::ServerContext* context,
                                 const v1::ListOverlapImagesRequest* request,
                                 v1::ListOverlapImagesResponse* response) override;

 private:
  Store* const store_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_ANNOTATOR_SERVICE_H_
