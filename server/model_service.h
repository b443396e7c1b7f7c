#ifndef LABELLOOP_SERVER_MODEL_SERVICE_H_
#define LABELLOOP_SERVER_MODEL_SERVICE_H_

#include "common/image_validation.h"
#include "common/store.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "server/auto_labeler.h"
#include "server/model_registry.h"

namespace labelloop {

class ModelServiceImpl final : public v1::ModelService::Service {
 public:
  // `auto_labeler` is null when auto-labeling is off.
  ModelServiceImpl(ModelRegistry* registry, Store* store, float label_assist_threshold,
                   ImageLimits image_limits, const AutoLabeler* auto_labeler)
      : registry_(registry),
        store_(store),
        label_assist_threshold_(label_assist_threshold),
        image_limits_(image_limits),
        auto_labeler_(auto_labeler) {}

  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;
  grpc::Status GetModel(grpc::ServerContext* context, const v1::GetModelRequest* request,
                        v1::Model* response) override;
  grpc::Status PromoteModel(grpc::ServerContext* context, const v1::PromoteModelRequest* request,
                            v1::Model* response) override;
  grpc::Status RollbackModel(grpc::ServerContext* context, const v1::RollbackModelRequest* request,
                             v1::Model* response) override;
  grpc::Status Predict(grpc::ServerContext* context, const v1::PredictRequest* request,
                       v1::PredictResponse* response) override;
  grpc::Status DownloadCheckpoint(grpc::ServerContext* context,
                                  const v1::DownloadCheckpointRequest* request,
                                  grpc::ServerWriter<v1::CheckpointChunk>* writer) override;

 private:
  // Fills each model's auto_labeling: machine label counts from the store, the last pass's note.
  absl::Status AddAutoLabeling(std::vector<v1::Model*> models);

  ModelRegistry* const registry_;
  Store* const store_;
  const float label_assist_threshold_;
  // Client-sent images are checked against these before decoding; stored ones were at upload.
  const ImageLimits image_limits_;
  const AutoLabeler* const auto_labeler_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_MODEL_SERVICE_H_
