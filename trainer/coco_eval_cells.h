#ifndef LABELLOOP_TRAINER_COCO_EVAL_CELLS_H_
#define LABELLOOP_TRAINER_COCO_EVAL_CELLS_H_

#include <cstdint>
#include <vector>

#include "trainer/coco_eval_data.h"

namespace labelloop {

// What matching needs to know about one ground truth box.
struct CocoCellGroundTruth {
  double area = 0;       // decides the area bucket
  bool iscrowd = false;  // may absorb any number of detections
  bool ignore = false;   // never counts as a miss; detections matched to it are ignored
};

// The ground truth and detections of one (image, category) pair, as pycocotools' _prepare and
// computeIoU leave them.
struct CocoCell {
  int category_index = 0;
  int image_index = 0;
  std::vector<CocoCellGroundTruth> gts;  // in annotation order
  // Detections best first (stable for equal scores), capped at the largest maxDets.
  std::vector<double> det_scores;
  std::vector<double> det_areas;  // width * height
  std::vector<double> ious;       // row-major [detection][ground truth]
};

struct CocoCells {
  std::vector<int64_t> image_ids;        // ascending, unique: pycocotools' p.imgIds
  std::vector<CocoCategory> categories;  // ascending ids, unique: p.catIds
  // Only pairs with at least one ground truth box or detection (the others evaluate to None in
  // pycocotools), ordered by category then image, which is the concatenation order of accumulate.
  std::vector<CocoCell> cells;
  // Detections on images or categories that the ground truth does not list.
  int64_t skipped_detections = 0;
};

// Groups boxes by (image, category), sorts and caps detections, and computes IoU matrices.
// `honor_ignore_field` makes CocoAnnotation::ignore count; pycocotools itself discards it.
CocoCells BuildCocoCells(const CocoGroundTruth& ground_truth,
                         const std::vector<CocoDetection>& detections, int max_detections,
                         bool honor_ignore_field);

// True when score `a` sorts before `b` in numpy's argsort of -score: higher first, NaN last.
bool CocoScoreRanksBefore(double a, double b);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_CELLS_H_
