#include "cli/model/offline_detector.h"

#include <torch/torch.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config_loader.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "inference/detector_config.h"
#include "inference/fcos.h"
#include "inference/image_tensor.h"
#include "inference/state_dict.h"

namespace labelloop {
namespace {

// torchvision's FCOS head: one logit per class, background included.
constexpr char kClassLogitsBias[] = "head.classification_head.cls_logits.bias";

// The foreground class count a checkpoint was trained for, or -1 when it cannot tell.
int64_t CheckpointClassCount(const Checkpoint& checkpoint) {
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name == kClassLogitsBias && tensor.dim() == 1) return tensor.size(0) - 1;
  }
  return -1;
}

// Decides the class names: the checkpoint's, the flag's, or an error saying what is missing.
absl::StatusOr<std::vector<std::string>> ResolveClassNames(const OfflineDetectorSpec& spec,
                                                           const Checkpoint* checkpoint) {
  std::vector<std::string> from_checkpoint;
  if (checkpoint != nullptr) {
    absl::StatusOr<CheckpointInfo> info = CheckpointInfoFromMetadata(checkpoint->metadata);
    if (!info.ok()) {
      return absl::Status(info.status().code(), absl::StrCat("checkpoint ", spec.weights_path, ": ",
                                                             info.status().message()));
    }
    from_checkpoint = std::move(info->class_names);
  }
  if (!from_checkpoint.empty()) {
    if (!spec.class_names.empty() && spec.class_names != from_checkpoint) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--classes=", absl::StrJoin(spec.class_names, ","), " disagrees with the classes of ",
          spec.weights_path, " (", absl::StrJoin(from_checkpoint, ","),
          "); leave --classes out for a checkpoint that names its classes"));
    }
    return from_checkpoint;
  }
  if (!spec.class_names.empty()) return spec.class_names;
  if (checkpoint == nullptr) {
    return absl::InvalidArgumentError(
        "without --weights the detector has random weights and no class names: give them with "
        "--classes=a,b,c");
  }
  const int64_t count = CheckpointClassCount(*checkpoint);
  return absl::InvalidArgumentError(absl::StrCat(
      "checkpoint ", spec.weights_path, " names no classes (a torchvision .pth has no metadata)",
      count > 0 ? absl::StrCat("; it has ", count, " foreground classes") : "",
      ": name them in order with --classes=a,b,c"));
}

int ThreadCount(const OfflineDetectorSpec& spec, const v1::DaemonConfig& config) {
  if (spec.threads > 0) return spec.threads;
  if (config.detector().threads() > 0) return config.detector().threads();
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

absl::StatusOr<std::unique_ptr<OfflineDetector>> OfflineDetector::Load(
    const OfflineDetectorSpec& spec, std::ostream& notes) {
  absl::StatusOr<v1::DaemonConfig> config = LoadConfig(spec.config_path);
  if (!config.ok()) return config.status();
  torch::set_num_threads(ThreadCount(spec, *config));

  std::optional<Checkpoint> checkpoint;
  if (!spec.weights_path.empty()) {
    absl::StatusOr<Checkpoint> loaded = LoadCheckpoint(spec.weights_path);
    if (!loaded.ok()) return loaded.status();
    checkpoint = *std::move(loaded);
  }
  absl::StatusOr<std::vector<std::string>> class_names =
      ResolveClassNames(spec, checkpoint.has_value() ? &*checkpoint : nullptr);
  if (!class_names.ok()) return class_names.status();

  absl::StatusOr<FcosOptions> options =
      FcosOptionsFromConfig(config->detector(), static_cast<int64_t>(class_names->size()));
  if (!options.ok()) {
    return absl::Status(options.status().code(),
                        absl::StrCat(spec.config_path, ": ", options.status().message()));
  }
  if (spec.score_threshold.has_value()) options->score_thresh = *spec.score_threshold;

  std::shared_ptr<FcosImpl> model;
  try {
    model = std::make_shared<FcosImpl>(*options);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.config_path, ": cannot build the detector: ", e.msg()));
  }
  if (checkpoint.has_value()) {
    absl::Status status = LoadStateDict(*model, checkpoint->tensors);
    if (!status.ok()) {
      return absl::Status(
          status.code(),
          absl::StrCat("checkpoint ", spec.weights_path, " does not fit the ", options->backbone,
                       " detector of ", spec.config_path, " with ", class_names->size(),
                       " classes: ", status.message()));
    }
  } else {
    notes << "labelloop-model: no --weights given: the detector has RANDOM weights, so its "
             "detections mean nothing\n";
  }
  if (torch::cuda::is_available()) model->to(torch::kCUDA);
  model->eval();
  return std::unique_ptr<OfflineDetector>(
      new OfflineDetector(std::move(model), *std::move(class_names)));
}

absl::StatusOr<std::vector<OfflineDetection>> OfflineDetector::DetectFile(
    const std::string& path) const {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such image file"));
  }
  cv::Mat image;
  try {
    image = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a readable image: ", e.msg));
  }
  if (image.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a readable image"));

  std::vector<OfflineDetection> out;
  try {
    std::vector<Detections> detections = model_->Detect({MatToRgbTensor(image)});
    torch::Tensor boxes = detections[0].boxes.to(torch::kCPU).contiguous();
    torch::Tensor scores = detections[0].scores.to(torch::kCPU).contiguous();
    torch::Tensor labels = detections[0].labels.to(torch::kCPU).contiguous();
    auto b = boxes.accessor<float, 2>();
    auto s = scores.accessor<float, 1>();
    auto l = labels.accessor<int64_t, 1>();
    for (int64_t k = 0; k < scores.size(0); ++k) {
      if (l[k] < 1) continue;  // background is never a detection
      out.push_back({b[k][0], b[k][1], b[k][2], b[k][3], static_cast<int>(l[k] - 1), s[k]});
    }
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat(path, ": detection failed: ", e.msg()));
  }
  return out;
}

}  // namespace labelloop
