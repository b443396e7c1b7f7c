#include "server/model_service.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/machine_labels.h"
#include "server/auth/call_verdict.h"
#include "server/grpc_status.h"
#include "server/prediction_proto.h"

namespace labelloop {
namespace {

// Small enough to keep memory flat for many concurrent downloads, large enough to keep the
// per-message overhead negligible.
constexpr size_t kChunkBytes = 1 << 20;

}  // namespace

absl::Status ModelServiceImpl::AddAutoLabeling(std::vector<v1::Model*> models) {
  absl::StatusOr<absl::flat_hash_map<std::string, MachineLabelCounts>> counts =
      CountMachineLabels(store_);
  if (!counts.ok()) return counts.status();
  for (v1::Model* model : models) {
    v1::AutoLabeling* out = model->mutable_auto_labeling();
    if (auto_labeler_ != nullptr) {
      if (std::optional<v1::AutoLabeling> pass = auto_labeler_->LastPass(model->version())) {
        *out = *std::move(pass);
      }
    }
    auto it = counts->find(model->version());
    if (it != counts->end()) {
      out->set_images(it->second.images);
      out->set_pending_review(it->second.pending);
      out->set_rejected(it->second.rejected);
    }
  }
  return absl::OkStatus();
}

grpc::Status ModelServiceImpl::ListModels(grpc::ServerContext* context,
                                          const v1::ListModelsRequest* request,
                                          v1::ListModelsResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<std::vector<v1::Model>> models = registry_->List();
  if (!models.ok()) return ToGrpcStatus(models.status());
  for (v1::Model& model : *models) *response->add_models() = std::move(model);
  std::vector<v1::Model*> listed;
  for (v1::Model& model : *response->mutable_models()) listed.push_back(&model);
  if (absl::Status status = AddAutoLabeling(listed); !status.ok()) return ToGrpcStatus(status);
  std::shared_ptr<const ServingModel> serving = registry_->Serving();
  if (serving != nullptr) response->set_serving_version(serving->version());
  return grpc::Status::OK;
}

grpc::Status ModelServiceImpl::GetModel(grpc::ServerContext* context,
                                        const v1::GetModelRequest* request, v1::Model* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::Model> model = registry_->Get(request->version());
  if (!model.ok()) return ToGrpcStatus(model.status());
  *response = *std::move(model);
  if (absl::Status status = AddAutoLabeling({response}); !status.ok()) {
    return ToGrpcStatus(status);
  }
  return grpc::Status::OK;
}

grpc::Status ModelServiceImpl::PromoteModel(grpc::ServerContext* context,
                                            const v1::PromoteModelRequest* request,
                                            v1::Model* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  if (request->version().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "version is required");
  }
  absl::StatusOr<v1::Model> model = registry_->Promote(request->version(), "promoted by hand");
  if (!model.ok()) return ToGrpcStatus(model.status());
  *response = *std::move(model);
  return grpc::Status::OK;
}

grpc::Status ModelServiceImpl::RollbackModel(grpc::ServerContext* context,
                                             const v1::RollbackModelRequest* request,
                                             v1::Model* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<v1::Model> model = registry_->Rollback();
  if (!model.ok()) return ToGrpcStatus(model.status());
  *response = *std::move(model);
  return grpc::Status::OK;
}

grpc::Status ModelServiceImpl::Predict(grpc::ServerContext* context,
                                       const v1::PredictRequest* request,
                                       v1::PredictResponse* response) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  std::string bytes;
  switch (request->image_case()) {
    case v1::PredictRequest::kImageData: {
      absl::StatusOr<ImageDimensions> header =
          CheckImageHeader(request->image_data(), image_limits_);
      if (!header.ok()) return ToGrpcStatus(header.status());
      bytes = request->image_data();
      break;
    }
    case v1::PredictRequest::kImageId: {
      absl::StatusOr<StoredImage> image = store_->GetImage(request->image_id(), 0);
      if (!image.ok()) return ToGrpcStatus(image.status());
      absl::StatusOr<std::string> data = store_->ReadImageBytes(
          image->sha256, image->in_blob, image->uri, image_limits_.max_bytes);
      if (!data.ok()) return ToGrpcStatus(data.status());
      bytes = *std::move(data);
      break;
    }
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "give image_data (encoded bytes) or image_id");
  }
  if (request->score_threshold() < 0 || request->score_threshold() > 1) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("score_threshold must be in [0, 1], got ", request->score_threshold()));
  }
  absl::StatusOr<std::shared_ptr<const ServingModel>> model =
      registry_->Load(request->model_version());
  if (!model.ok()) return ToGrpcStatus(model.status());
  float threshold =
      request->score_threshold() > 0 ? request->score_threshold() : label_assist_threshold_;
  absl::StatusOr<std::vector<Prediction>> predictions = (*model)->PredictEncoded(bytes, threshold);
  if (!predictions.ok()) return ToGrpcStatus(predictions.status());
  response->set_model_version((*model)->version());
  AppendPredictionBoxes(*predictions, (*model)->class_names(), response->mutable_detections());
  return grpc::Status::OK;
}

grpc::Status ModelServiceImpl::DownloadCheckpoint(grpc::ServerContext* context,
                                                  const v1::DownloadCheckpointRequest* request,
                                                  grpc::ServerWriter<v1::CheckpointChunk>* writer) {
  LABELLOOP_RETURN_IF_NOT_ADMITTED(context);
  absl::StatusOr<ModelVersionInfo> info =
      registry_->Info(request->version().empty() ? "serving" : request->version());
  if (!info.ok()) return ToGrpcStatus(info.status());
  absl::StatusOr<std::string> path = registry_->WeightsPath(info->version);
  if (!path.ok()) return ToGrpcStatus(path.status());
  std::ifstream file(*path, std::ios::binary);
  if (!file) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("cannot open the checkpoint of ", info->version));
  }
  std::string buffer(kChunkBytes, '\0');
  int64_t offset = 0;
  bool first = true;
  while (true) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize got = file.gcount();
    if (got <= 0 && !first) break;
    v1::CheckpointChunk chunk;
    if (first) {
      chunk.set_version(info->version);
      chunk.set_file_name(absl::StrCat("labelloop-", info->version, ".safetensors"));
      chunk.set_total_bytes(info->weights_bytes);
      chunk.set_sha256(info->weights_sha256);
      first = false;
    }
    chunk.set_offset(offset);
    chunk.set_data(buffer.data(), static_cast<size_t>(got));
    offset += got;
    if (context->IsCancelled() || !writer->Write(chunk)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "download cancelled");
    }
    if (got < static_cast<std::streamsize>(buffer.size())) break;
  }
  if (offset != info->weights_bytes) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS,
                        absl::StrCat("checkpoint of ", info->version, " is ", offset,
                                     " bytes on disk but ", info->weights_bytes, " were recorded"));
  }
  return grpc::Status::OK;
}

}  // namespace labelloop
