#include "inference/fcos_postprocess.h"

#include <torch/torch.h>

#include <algorithm>

#include "inference/box_linear_coder.h"
#include "inference/nms.h"

namespace labelloop {

std::vector<LocatedDetections> PostprocessFcosWithLocations(const FcosHeadOutputs& head,
                                                            const FcosAnchors& anchors,
                                                            const ImageBatch& batch,
                                                            const FcosOptions& options) {
  const auto& per_level = anchors.num_per_level;
  auto logits_levels = head.cls_logits.split_with_sizes(per_level, 1);
  auto regression_levels = head.bbox_regression.split_with_sizes(per_level, 1);
  auto ctrness_levels = head.bbox_ctrness.split_with_sizes(per_level, 1);
  auto anchor_levels = anchors.boxes.split_with_sizes(per_level, 0);
  const int64_t num_classes = head.cls_logits.size(-1);

  std::vector<LocatedDetections> detections;
  for (size_t index = 0; index < batch.image_sizes.size(); ++index) {
    const ImageSize image_size = batch.image_sizes[index];
    std::vector<torch::Tensor> image_boxes, image_scores, image_labels, image_locations;
    int64_t level_offset = 0;
    for (size_t level = 0; level < per_level.size(); ++level) {
      auto logits = logits_levels[level][index];
      auto ctrness = ctrness_levels[level][index];
      auto scores = torch::sqrt(torch::sigmoid(logits) * torch::sigmoid(ctrness)).flatten();
      auto keep = scores > options.score_thresh;
      scores = scores.index({keep});
      auto topk_idxs = torch::where(keep)[0];
      const int64_t num_topk = std::min<int64_t>(options.topk_candidates, topk_idxs.size(0));
      auto top = scores.topk(num_topk);
      scores = std::get<0>(top);
      topk_idxs = topk_idxs.index({std::get<1>(top)});
      auto anchor_idxs = torch::div(topk_idxs, num_classes, "floor");
      auto labels = topk_idxs % num_classes;
      auto boxes = DecodeBoxesLinear(regression_levels[level][index].index({anchor_idxs}),
                                     anchor_levels[level].index({anchor_idxs}));
      image_boxes.push_back(ClipBoxesToImage(boxes, image_size[0], image_size[1]));
      image_scores.push_back(scores);
      image_labels.push_back(labels);
      image_locations.push_back(anchor_idxs + level_offset);
      level_offset += per_level[level];
    }
    auto boxes = torch::cat(image_boxes, 0);
    auto scores = torch::cat(image_scores, 0);
    auto labels = torch::cat(image_labels, 0);
    auto locations = torch::cat(image_locations, 0);
    auto keep = BatchedNms(boxes, scores, labels, options.nms_thresh);
    keep = keep.narrow(0, 0, std::min<int64_t>(keep.size(0), options.detections_per_img));
    LocatedDetections d;
    d.detections.boxes =
        ImageTransform::ResizeBoxes(boxes.index({keep}), image_size, batch.original_sizes[index]);
    d.detections.scores = scores.index({keep});
    d.detections.labels = labels.index({keep});
    d.locations = locations.index({keep});
    detections.push_back(std::move(d));
  }
  return detections;
}

std::vector<Detections> PostprocessFcos(const FcosHeadOutputs& head, const FcosAnchors& anchors,
                                        const ImageBatch& batch, const FcosOptions& options) {
  std::vector<Detections> detections;
  for (LocatedDetections& located : PostprocessFcosWithLocations(head, anchors, batch, options)) {
    detections.push_back(std::move(located.detections));
  }
  return detections;
}

}  // namespace labelloop
