#include "inference/fcos.h"

#include <torch/torch.h>

#include "inference/fcos_loss.h"
#include "inference/fcos_postprocess.h"

namespace labelloop {
namespace {

int ResNetDepth(const std::string& backbone) {
  if (backbone == "resnet18") return 18;
  if (backbone == "resnet34") return 34;
  if (backbone == "resnet50") return 50;
  TORCH_CHECK(false, "backbone: must be resnet18, resnet34 or resnet50, got '", backbone, "'");
}

const FcosOptions& Validated(const FcosOptions& options) {
  const std::string error = FcosOptionsError(options);
  TORCH_CHECK(error.empty(), error);
  return options;
}

std::vector<torch::Tensor> ToDevice(const std::vector<torch::Tensor>& images,
                                    torch::Device device) {
  std::vector<torch::Tensor> moved;
  moved.reserve(images.size());
  for (const auto& image : images) moved.push_back(image.to(device));
  return moved;
}

}  // namespace

BackboneWithFpnImpl::BackboneWithFpnImpl(int resnet_depth, int64_t fpn_channels) {
  body_ = register_module("body", ResNetBody(resnet_depth));
  fpn_ = register_module("fpn", FeaturePyramid(body_->out_channels(), fpn_channels));
}

std::vector<torch::Tensor> BackboneWithFpnImpl::forward(const torch::Tensor& images) {
  return fpn_(body_(images));
}

FcosImpl::FcosImpl(const FcosOptions& options)
    : options_(Validated(options)), transform_(options_) {
  backbone_ = register_module(
      "backbone", BackboneWithFpn(ResNetDepth(options_.backbone), options_.fpn_channels));
  head_ = register_module(
      "head", FcosHead(options_.fpn_channels, options_.num_classes, options_.head_convs));
  backbone_->body()->FreezeAllBut(options_.trainable_backbone_layers);
}

torch::Device FcosImpl::device() const { return parameters().front().device(); }

FcosForward FcosImpl::Forward(const std::vector<torch::Tensor>& images) {
  FcosForward out;
  out.batch = transform_(ToDevice(images, device()));
  out.features = backbone_(out.batch.tensors);
  out.head = head_(out.features);
  out.anchors =
      MakeFcosAnchors(out.batch.tensors.size(-2), out.batch.tensors.size(-1), out.features);
  return out;
}

std::vector<Detections> FcosImpl::Detect(const std::vector<torch::Tensor>& images) {
  torch::NoGradGuard no_grad;
  FcosForward forward = Forward(images);
  return PostprocessFcos(forward.head, forward.anchors, forward.batch, options_);
}

FcosLosses FcosImpl::Losses(const std::vector<torch::Tensor>& images,
                            const std::vector<DetectionTarget>& targets) {
  TORCH_CHECK(images.size() == targets.size(), "Losses: ", images.size(), " images but ",
              targets.size(), " targets");
  FcosForward forward = Forward(images);
  const torch::Device device = forward.batch.tensors.device();
  std::vector<DetectionTarget> resized;
  resized.reserve(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& target = targets[i];
    TORCH_CHECK(target.boxes.dim() == 2 && target.boxes.size(1) == 4,
                "target boxes must be [N, 4], got ", target.boxes.sizes(), " for image ", i);
    TORCH_CHECK(target.labels.dim() == 1 && target.labels.size(0) == target.boxes.size(0),
                "target labels must be [N] with one per box for image ", i);
    DetectionTarget t;
    t.boxes =
        ImageTransform::ResizeBoxes(target.boxes.to(device, torch::kFloat32),
                                    forward.batch.original_sizes[i], forward.batch.image_sizes[i]);
    t.labels = target.labels.to(device, torch::kInt64);
    if (t.boxes.size(0) > 0) {
      auto degenerate = (t.boxes.slice(1, 2) <= t.boxes.slice(1, 0, 2)).any(1);
      if (degenerate.any().item<bool>()) {
        const int64_t first = torch::where(degenerate)[0][0].item<int64_t>();
        auto box = target.boxes[first].to(torch::kCPU, torch::kFloat64);
        TORCH_CHECK(false,
                    "All bounding boxes should have positive height and width. Found "
                    "invalid box [",
                    box[0].item<double>(), ", ", box[1].item<double>(), ", ", box[2].item<double>(),
                    ", ", box[3].item<double>(), "] for target at index ", i);
      }
      const int64_t min_label = t.labels.min().item<int64_t>();
      const int64_t max_label = t.labels.max().item<int64_t>();
      TORCH_CHECK(min_label >= 0 && max_label < options_.num_classes,
                  "target labels must be in "
                  "[0, ",
                  options_.num_classes, "), got ", min_label, "..", max_label, " for image ", i);
    }
    resized.push_back(std::move(t));
  }
  auto matched = MatchFcosTargets(forward.anchors, resized, options_.center_sampling_radius);
  return ComputeFcosLosses(forward.head, forward.anchors, resized, matched, options_);
}

}  // namespace labelloop
