#include "trainer/coco_eval_match.h"

#include <algorithm>
#include <numeric>

namespace labelloop {
namespace {

bool OutsideRange(double area, const CocoAreaRange& range) {
  return area < range.min_area || area > range.max_area;
}

}  // namespace

CocoCellMatch MatchCocoCell(const CocoCell& cell, absl::Span<const double> iou_thresholds,
                            const CocoAreaRange& area_range) {
  const size_t num_gts = cell.gts.size();
  const size_t num_dets = cell.det_scores.size();
  const size_t num_thresholds = iou_thresholds.size();

  // gt '_ignore', then a stable sort that puts ignored boxes last (np.argsort mergesort).
  std::vector<char> ignored_by_index(num_gts);
  for (size_t g = 0; g < num_gts; ++g) {
    ignored_by_index[g] = cell.gts[g].ignore || OutsideRange(cell.gts[g].area, area_range);
  }
  std::vector<size_t> order(num_gts);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ignored_by_index[a] < ignored_by_index[b]; });
  std::vector<char> gt_ignore(num_gts);
  std::vector<char> gt_crowd(num_gts);
  CocoCellMatch match;
  match.num_detections = static_cast<int>(num_dets);
  for (size_t g = 0; g < num_gts; ++g) {
    gt_ignore[g] = ignored_by_index[order[g]];
    gt_crowd[g] = cell.gts[order[g]].iscrowd;
    if (!gt_ignore[g]) ++match.num_counted_gts;
  }

  std::vector<char> det_matched(num_thresholds * num_dets, 0);
  std::vector<char> det_ignore(num_thresholds * num_dets, 0);
  // pycocotools skips matching when the IoU list is empty (no detections or no ground truth).
  if (!cell.ious.empty()) {
    std::vector<char> gt_matched(num_gts);
    for (size_t t = 0; t < num_thresholds; ++t) {
      std::fill(gt_matched.begin(), gt_matched.end(), 0);
      for (size_t d = 0; d < num_dets; ++d) {
        const double* ious = &cell.ious[d * num_gts];
        double best = std::min(iou_thresholds[t], 1 - 1e-10);
        int m = -1;
        for (size_t g = 0; g < num_gts; ++g) {
          if (gt_matched[g] && !gt_crowd[g]) continue;
          // Already on a counted box and only ignored boxes remain: keep the counted match.
          if (m > -1 && !gt_ignore[m] && gt_ignore[g]) break;
          const double iou = ious[order[g]];
          if (iou < best) continue;
          // Not <, so a later box with an equal IoU takes over, as in evaluateImg.
          best = iou;
          m = static_cast<int>(g);
        }
        if (m == -1) continue;
        det_ignore[t * num_dets + d] = gt_ignore[m];
        det_matched[t * num_dets + d] = 1;
        gt_matched[m] = 1;
      }
    }
  }

  match.outcomes.resize(num_thresholds * num_dets);
  for (size_t t = 0; t < num_thresholds; ++t) {
    for (size_t d = 0; d < num_dets; ++d) {
      const size_t i = t * num_dets + d;
      const bool matched = det_matched[i];
      // Unmatched detections outside the area range are neither right nor wrong there.
      const bool ignored =
          det_ignore[i] || (!matched && OutsideRange(cell.det_areas[d], area_range));
      match.outcomes[i] = ignored   ? CocoDetectionOutcome::kIgnored
                          : matched ? CocoDetectionOutcome::kTruePositive
                                    : CocoDetectionOutcome::kFalsePositive;
    }
  }
  return match;
}

}  // namespace labelloop
