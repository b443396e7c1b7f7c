#include "inference/serving_model.h"

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "inference/checkpoint.h"
#include "inference/fcos.h"
#include "inference/image_tensor.h"

namespace labelloop {

ServingModel::ServingModel(std::string version, FcosOptions options,
                           std::vector<std::string> class_names, int threads,
                           std::shared_ptr<FcosImpl> module)
    : version_(std::move(version)),
      options_(std::move(options)),
      class_names_(std::move(class_names)),
      threads_(threads),
      module_(std::move(module)) {}

absl::StatusOr<std::shared_ptr<const ServingModel>> ServingModel::Load(
    std::string version, const std::string& checkpoint, FcosOptions options,
    std::vector<std::string> class_names, int threads) {
  options.num_classes = static_cast<int64_t>(class_names.size()) + 1;
  std::string options_error = FcosOptionsError(options);
  if (!options_error.empty()) return absl::InvalidArgumentError(options_error);
  std::shared_ptr<FcosImpl> module;
  try {
    module = std::make_shared<FcosImpl>(options);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot build the detector: ", e.msg()));
  }
  absl::StatusOr<SafetensorsMetadata> loaded = LoadCheckpointInto(*module, checkpoint);
  if (!loaded.ok()) return loaded.status();
  module->eval();
  return std::shared_ptr<const ServingModel>(new ServingModel(
      std::move(version), std::move(options), std::move(class_names), threads, module));
}

std::shared_ptr<const ServingModel> ServingModel::Untrained(std::string version,
                                                            FcosOptions options,
                                                            std::vector<std::string> class_names,
                                                            int threads) {
  options.num_classes = static_cast<int64_t>(class_names.size()) + 1;
  auto module = std::make_shared<FcosImpl>(options);
  module->eval();
  return std::shared_ptr<const ServingModel>(new ServingModel(
      std::move(version), std::move(options), std::move(class_names), threads, module));
}

absl::StatusOr<std::vector<Prediction>> ServingModel::PredictEncoded(absl::string_view bytes,
                                                                     float min_score) const {
  cv::Mat image;
  try {
    cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    image = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not a decodable image: ", e.msg));
  }
  if (image.empty()) return absl::InvalidArgumentError("not a decodable image");
  return PredictImages({image}, min_score).front();
}

std::vector<std::vector<Prediction>> ServingModel::PredictImages(
    const std::vector<cv::Mat>& images, float min_score) const {
  if (threads_ > 0) torch::set_num_threads(threads_);
  std::vector<torch::Tensor> tensors;
  tensors.reserve(images.size());
  for (const cv::Mat& image : images) tensors.push_back(MatToRgbTensor(image));
  std::vector<Detections> detections = module_->Detect(tensors);
  std::vector<std::vector<Prediction>> out(images.size());
  for (size_t i = 0; i < detections.size(); ++i) {
    torch::Tensor boxes = detections[i].boxes.to(torch::kCPU).contiguous();
    torch::Tensor scores = detections[i].scores.to(torch::kCPU).contiguous();
    torch::Tensor labels = detections[i].labels.to(torch::kCPU).contiguous();
    auto b = boxes.accessor<float, 2>();
    auto s = scores.accessor<float, 1>();
    auto l = labels.accessor<int64_t, 1>();
    for (int64_t k = 0; k < scores.size(0); ++k) {
      if (s[k] < min_score || l[k] < 1) continue;
      out[i].push_back({b[k][0], b[k][1], b[k][2], b[k][3], static_cast<int>(l[k] - 1), s[k]});
    }
  }
  return out;
}

}  // namespace labelloop
