#ifndef LABELLOOP_SERVER_DATASET_SERVICE_H_
#define LABELLOOP_SERVER_DATASET_SERVICE_H_

#include <functional>
#include <vector>

#include "common/clock.h"
#include "common/image_validation.h"
#include "common/store.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "sampler/label_queue.h"
#include "server/label_import.h"

namespace labelloop {

class DatasetServiceImpl final : public v1::DatasetService::Service {
 public:
  // `on_images_added` hears of every newly stored image (pool scoring scores them);
  // `on_labels_stored`, when set, of every imported label (the training trigger counts them).
  DatasetServiceImpl(Store* store, LabelQueue* queue, ImageLimits limits, const Clock* clock,
                     std::function<void(const std::vector<int64_t>&)> on_images_added,
                     LabelImportOptions import_options = {},
                     std::function<void(int64_t)> on_labels_stored = nullptr)
      : store_(store),
        queue_(queue),
        limits_(limits),
        clock_(clock),
        on_images_added_(std::move(on_images_added)),
        import_options_(import_options),
        on_labels_stored_(std::move(on_labels_stored)) {}

  grpc::Status AddImages(grpc::ServerContext* context,
                         grpc::ServerReader<v1::AddImagesRequest>* reader,
                         v1::AddImagesResponse* response) override;
  grpc::Status ListImages(grpc::ServerContext* context, const v1::ListImagesRequest* request,
                          v1::ListImagesResponse* response) override;
  grpc::Status GetImage(grpc::ServerContext* context, const v1::GetImageRequest* request,
                        v1::GetImageResponse* response) override;
  grpc::Status RemoveImages(grpc::ServerContext* context, const v1::RemoveImagesRequest* request,
                            v1::RemoveImagesResponse* response) override;
  grpc::Status GetClasses(grpc::ServerContext* context, const v1::GetClassesRequest* request,
                          v1::GetClassesResponse* response) override;
  grpc::Status UpdateClasses(grpc::ServerContext* context, const v1::UpdateClassesRequest* request,
                             v1::UpdateClassesResponse* response) override;
  grpc::Status AddClass(grpc::ServerContext* context, const v1::AddClassRequest* request,
                        v1::ClassChange* response) override;
  grpc::Status RenameClass(grpc::ServerContext* context, const v1::RenameClassRequest* request,
                           v1::ClassChange* response) override;
  grpc::Status MergeClasses(grpc::ServerContext* context, const v1::MergeClassesRequest* request,
                            v1::ClassChange* response) override;
  grpc::Status DeleteClass(grpc::ServerContext* context, const v1::DeleteClassRequest* request,
                           v1::ClassChange* response) override;
  grpc::Status ListClassChanges(grpc::ServerContext* context,
                                const v1::ListClassChangesRequest* request,
                                v1::ListClassChangesResponse* response) override;
  grpc::Status ImportLabels(grpc::ServerContext* context, const v1::ImportLabelsRequest* request,
                            v1::ImportLabelsResponse* response) override;
  grpc::Status ExportLabels(grpc::ServerContext* context, const v1::ExportLabelsRequest* request,
                            grpc::ServerWriter<v1::ExportedImage>* writer) override;

 private:
  Store* const store_;
  LabelQueue* const queue_;
  const ImageLimits limits_;
  const Clock* const clock_;
  const std::function<void(const std::vector<int64_t>&)> on_images_added_;
  const LabelImportOptions import_options_;
  const std::function<void(int64_t)> on_labels_stored_;
};

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_DATASET_SERVICE_H_
