#include "trainer/coco_eval_box_iou.h"

#include <cmath>

namespace labelloop {

double CocoBoxIou(const CocoBox& det, const CocoBox& gt, bool gt_is_crowd) {
  // Same operations in the same order as bbIou, so results agree to the last bit.
  const double gt_area = gt.width * gt.height;
  const double det_area = det.width * det.height;
  const double w = std::fmin(det.width + det.x, gt.width + gt.x) - std::fmax(det.x, gt.x);
  if (w <= 0) return 0;
  const double h = std::fmin(det.height + det.y, gt.height + gt.y) - std::fmax(det.y, gt.y);
  if (h <= 0) return 0;
  const double intersection = w * h;
  const double union_area = gt_is_crowd ? det_area : det_area + gt_area - intersection;
  return intersection / union_area;
}

}  // namespace labelloop
