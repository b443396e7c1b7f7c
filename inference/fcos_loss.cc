#include "inference/fcos_loss.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

#include "inference/box_linear_coder.h"
#include "inference/detection_losses.h"

namespace labelloop {

using torch::indexing::Ellipsis;
using torch::indexing::None;
using torch::indexing::Slice;

std::vector<torch::Tensor> MatchFcosTargets(const FcosAnchors& anchors,
                                            const std::vector<DetectionTarget>& targets,
                                            double center_sampling_radius) {
  const auto& boxes = anchors.boxes;
  std::vector<torch::Tensor> matched_idxs;
  for (const auto& target : targets) {
    if (target.boxes.numel() == 0) {
      matched_idxs.push_back(
          torch::full({boxes.size(0)}, -1, boxes.options().dtype(torch::kInt64)));
      continue;
    }
    const auto& gt_boxes = target.boxes;
    auto gt_centers =
        (gt_boxes.index({Slice(), Slice(None, 2)}) + gt_boxes.index({Slice(), Slice(2, None)})) / 2;
    auto anchor_centers =
        (boxes.index({Slice(), Slice(None, 2)}) + boxes.index({Slice(), Slice(2, None)})) / 2;
    auto anchor_sizes = boxes.index({Slice(), 2}) - boxes.index({Slice(), 0});

    auto pairwise_match =
        std::get<0>((anchor_centers.unsqueeze(1) - gt_centers.unsqueeze(0)).abs_().max(2)) <
        center_sampling_radius * anchor_sizes.unsqueeze(1);

    auto x = anchor_centers.index({Slice(), Slice(0, 1)});  // (N, 1)
    auto y = anchor_centers.index({Slice(), Slice(1, 2)});
    auto gt = gt_boxes.unsqueeze(0).unbind(2);  // 4 x (1, M)
    auto pairwise_dist = torch::stack({x - gt[0], y - gt[1], gt[2] - x, gt[3] - y}, 2);
    pairwise_match &= std::get<0>(pairwise_dist.min(2)) > 0;

    auto lower_bound = anchor_sizes * 4;
    lower_bound.index_put_({Slice(None, anchors.num_per_level.front())}, 0);
    auto upper_bound = anchor_sizes * 8;
    upper_bound.index_put_({Slice(-anchors.num_per_level.back(), None)},
                           std::numeric_limits<float>::infinity());
    auto max_dist = std::get<0>(pairwise_dist.max(2));
    pairwise_match &= (max_dist > lower_bound.unsqueeze(1)) & (max_dist < upper_bound.unsqueeze(1));

    auto gt_areas = (gt_boxes.index({Slice(), 2}) - gt_boxes.index({Slice(), 0})) *
                    (gt_boxes.index({Slice(), 3}) - gt_boxes.index({Slice(), 1}));
    auto weighted = pairwise_match.to(torch::kFloat32) * (1e8 - gt_areas.unsqueeze(0));
    auto best = weighted.max(1);
    auto matched = std::get<1>(best);
    matched.index_put_({std::get<0>(best) < 1e-5}, -1);
    matched_idxs.push_back(matched);
  }
  return matched_idxs;
}

FcosLosses ComputeFcosLosses(const FcosHeadOutputs& head, const FcosAnchors& anchors,
                             const std::vector<DetectionTarget>& targets,
                             const std::vector<torch::Tensor>& matched_idxs,
                             const FcosOptions& options) {
  std::vector<torch::Tensor> all_classes, all_boxes;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& matched = matched_idxs[i];
    torch::Tensor classes, boxes;
    if (targets[i].labels.numel() == 0) {
      classes = torch::zeros({matched.size(0)}, targets[i].labels.options());
      boxes = torch::zeros({matched.size(0), 4}, targets[i].boxes.options());
    } else {
      auto safe = matched.clip(0);
      classes = targets[i].labels.index({safe});
      boxes = targets[i].boxes.index({safe});
    }
    classes.index_put_({matched < 0}, -1);
    all_classes.push_back(classes);
    all_boxes.push_back(boxes);
  }
  auto gt_boxes = torch::stack(all_boxes);
  auto gt_classes = torch::stack(all_classes);
  auto anchor_boxes = anchors.boxes.unsqueeze(0).expand({gt_boxes.size(0), -1, -1});

  auto foreground = gt_classes >= 0;
  const double normalizer = std::max<int64_t>(1, foreground.sum().item<int64_t>());

  // Classification: one-hot targets on foreground locations, zero elsewhere.
  auto cls_targets = torch::zeros_like(head.cls_logits);
  auto fg_locations = torch::nonzero(foreground);
  cls_targets.index_put_(
      {fg_locations.select(1, 0), fg_locations.select(1, 1), gt_classes.index({foreground})}, 1.0);
  auto loss_cls =
      SigmoidFocalLossSum(head.cls_logits, cls_targets, options.focal_alpha, options.focal_gamma);

  auto pred_boxes = DecodeBoxesLinear(head.bbox_regression, anchor_boxes);
  auto loss_reg =
      GeneralizedBoxIouLossSum(pred_boxes.index({foreground}), gt_boxes.index({foreground}));

  auto reg_targets = EncodeBoxesLinear(anchor_boxes, gt_boxes);
  auto edges = reg_targets.unbind(-1);
  auto left_right = torch::stack({edges[0], edges[2]}, -1);
  auto top_bottom = torch::stack({edges[1], edges[3]}, -1);
  auto ctrness_targets =
      torch::sqrt((std::get<0>(left_right.min(-1)) / std::get<0>(left_right.max(-1))) *
                  (std::get<0>(top_bottom.min(-1)) / std::get<0>(top_bottom.max(-1))));
  auto pred_ctrness = head.bbox_ctrness.squeeze(2);
  auto loss_ctrness = torch::binary_cross_entropy_with_logits(
      pred_ctrness.index({foreground}), ctrness_targets.index({foreground}), /*weight=*/{},
      /*pos_weight=*/{}, at::Reduction::Sum);

  return {loss_cls / normalizer, loss_reg / normalizer, loss_ctrness / normalizer};
}

}  // namespace labelloop
