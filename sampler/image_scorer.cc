#include "sampler/image_scorer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "inference/fcos.h"
#include "sampler/detection_probabilities.h"
#include "sampler/tta_consistency.h"

namespace labelloop {
namespace {

std::vector<ScoredDetection> ToScoredDetections(const DetectionsWithProbabilities& d) {
  const auto boxes = d.detections.boxes.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto scores = d.detections.scores.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto labels = d.detections.labels.to(torch::kCPU, torch::kInt64).contiguous();
  // Foreground classes only (see ScoredDetection::class_probs).
  const auto probs = d.class_probs.narrow(1, 1, d.class_probs.size(1) - 1)
                         .to(torch::kCPU, torch::kFloat32)
                         .contiguous();
  const int64_t count = boxes.size(0);
  const int64_t num_classes = probs.size(1);
  std::vector<ScoredDetection> out(count);
  const float* box = boxes.data_ptr<float>();
  const float* prob = probs.data_ptr<float>();
  for (int64_t i = 0; i < count; ++i) {
    out[i].box = {box[4 * i], box[4 * i + 1], box[4 * i + 2], box[4 * i + 3]};
    out[i].score = scores.data_ptr<float>()[i];
    out[i].label = labels.data_ptr<int64_t>()[i];
    out[i].class_probs.assign(prob + i * num_classes, prob + (i + 1) * num_classes);
  }
  return out;
}

// See ScoredImage::embedding.
Embedding PooledEmbedding(const std::vector<torch::Tensor>& features, const ImageBatch& batch,
                          int64_t index) {
  const double batch_h = static_cast<double>(batch.tensors.size(-2));
  const double batch_w = static_cast<double>(batch.tensors.size(-1));
  const ImageSize size = batch.image_sizes[index];
  std::vector<torch::Tensor> levels;
  for (const torch::Tensor& level : features) {
    const int64_t h = level.size(-2), w = level.size(-1);
    // The part of this level's grid that lies over the image rather than the batch padding.
    const int64_t valid_h = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil(static_cast<double>(size[0]) * h / batch_h)), 1, h);
    const int64_t valid_w = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil(static_cast<double>(size[1]) * w / batch_w)), 1, w);
    auto pooled = level[index].narrow(1, 0, valid_h).narrow(2, 0, valid_w).mean({1, 2});
    levels.push_back(pooled / pooled.norm().clamp_min(1e-12));
  }
  auto embedding = (torch::cat(levels) / std::sqrt(static_cast<double>(levels.size())))
                       .to(torch::kCPU, torch::kFloat32)
                       .contiguous();
  return Embedding(embedding.data_ptr<float>(), embedding.data_ptr<float>() + embedding.numel());
}

// The rescale view: `image` shrunk by `factor` in the top-left of a canvas of its own size
// filled with `mean`. Returns the view and the actual scales (sizes are whole pixels).
torch::Tensor ShrunkView(const torch::Tensor& image, double factor,
                         const std::array<double, 3>& mean, float& scale_x, float& scale_y) {
  const int64_t h = image.size(1), w = image.size(2);
  const int64_t small_h = std::max<int64_t>(1, std::lround(static_cast<double>(h) * factor));
  const int64_t small_w = std::max<int64_t>(1, std::lround(static_cast<double>(w) * factor));
  auto small = at::upsample_bilinear2d(image.unsqueeze(0), {small_h, small_w},
                                       /*align_corners=*/false)
                   .squeeze(0);
  auto canvas = torch::tensor({mean[0], mean[1], mean[2]}, image.options())
                    .view({3, 1, 1})
                    .expand({3, h, w})
                    .clone();
  canvas.narrow(1, 0, small_h).narrow(2, 0, small_w).copy_(small);
  scale_x = static_cast<float>(small_w) / static_cast<float>(w);
  scale_y = static_cast<float>(small_h) / static_cast<float>(h);
  return canvas;
}

// Rescale-view detections mapped back: those centred on the padding (not on the shrunk image)
// see nothing of the image and are dropped; the rest are clipped to it.
std::vector<ScoredDetection> InsideShrunkImage(std::vector<ScoredDetection> detections, float width,
                                               float height) {
  std::vector<ScoredDetection> kept;
  for (ScoredDetection& d : detections) {
    const float cx = 0.5f * (d.box.x1 + d.box.x2), cy = 0.5f * (d.box.y1 + d.box.y2);
    if (cx > width || cy > height) continue;
    d.box.x2 = std::min(d.box.x2, width);
    d.box.y2 = std::min(d.box.y2, height);
    kept.push_back(std::move(d));
  }
  return kept;
}

}  // namespace

ImageScorer::ImageScorer(std::shared_ptr<FcosImpl> model, ImageScorerOptions options)
    : model_(std::move(model)), options_(options) {
  TORCH_CHECK(model_ != nullptr, "ImageScorer: no model");
  TORCH_CHECK(options_.rescale_factor == 0.0 ||
                  (options_.rescale_factor > 0.0 && options_.rescale_factor < 1.0),
              "ImageScorer: rescale_factor must be 0 (off) or in (0, 1), got ",
              options_.rescale_factor);
  TORCH_CHECK(options_.score_thresh >= 0.0 && options_.score_thresh < 1.0,
              "ImageScorer: score_thresh must be in [0, 1), got ", options_.score_thresh);
}

std::vector<ScoredImage> ImageScorer::Score(const std::vector<torch::Tensor>& images) const {
  if (images.empty()) return {};
  torch::NoGradGuard no_grad;
  FcosOptions decode_options = model_->options();
  decode_options.score_thresh = options_.score_thresh;

  // One batch: the originals, then each enabled view of every image.
  const int64_t n = static_cast<int64_t>(images.size());
  std::vector<torch::Tensor> inputs = images;
  std::vector<float> scale_x(n, 1.0f), scale_y(n, 1.0f);
  if (options_.flip_view) {
    for (const auto& image : images) inputs.push_back(image.flip({-1}));
  }
  if (options_.rescale_factor > 0.0) {
    for (int64_t i = 0; i < n; ++i) {
      TORCH_CHECK(images[i].dim() == 3 && images[i].size(0) == 3,
                  "images must be [3, H, W] tensors, got ", images[i].sizes());
      inputs.push_back(ShrunkView(images[i], options_.rescale_factor, model_->options().image_mean,
                                  scale_x[i], scale_y[i]));
    }
  }
  FcosForward forward = model_->Forward(inputs);
  std::vector<DetectionsWithProbabilities> decoded = PostprocessFcosWithProbabilities(
      forward.head, forward.anchors, forward.batch, decode_options);

  std::vector<ScoredImage> scored(n);
  for (int64_t i = 0; i < n; ++i) {
    scored[i].detections = ToScoredDetections(decoded[i]);
    scored[i].embedding = PooledEmbedding(forward.features, forward.batch, i);
    int64_t view_offset = n;
    if (options_.flip_view) {
      scored[i].views.push_back(UnflipHorizontal(ToScoredDetections(decoded[view_offset + i]),
                                                 static_cast<float>(images[i].size(2))));
      view_offset += n;
    }
    if (options_.rescale_factor > 0.0) {
      scored[i].views.push_back(InsideShrunkImage(
          Unscale(ToScoredDetections(decoded[view_offset + i]), scale_x[i], scale_y[i]),
          static_cast<float>(images[i].size(2)), static_cast<float>(images[i].size(1))));
    }
  }
  return scored;
}

}  // namespace labelloop
