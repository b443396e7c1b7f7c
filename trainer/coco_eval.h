#ifndef LABELLOOP_TRAINER_COCO_EVAL_H_
#define LABELLOOP_TRAINER_COCO_EVAL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "trainer/coco_eval_accumulate.h"
#include "trainer/coco_eval_data.h"
#include "trainer/coco_eval_params.h"

namespace labelloop {

struct CocoEvalOptions {
  // pycocotools overwrites each annotation's 'ignore' with its 'iscrowd' before matching, so by
  // default the field changes nothing. When set, an ignored box is treated like an out-of-range
  // one: it is never a miss, and a detection matched to it is neither right nor wrong.
  bool honor_ignore_field = false;
};

struct CocoClassResult {
  int64_t category_id = 0;
  std::string name;
  double ap = -1;            // IoU .5:.95, area all, maxDets 100; -1 without ground truth
  double ap50 = -1;          // IoU .5, area all, maxDets 100; -1 without ground truth
  int num_ground_truth = 0;  // counted boxes (not crowd/ignored) in area range 'all'
};

// COCOeval.stats for bbox, in the same order, plus per-category AP. A value is -1 when no category
// has counted ground truth for it (pycocotools' convention).
struct CocoEvalResult {
  double map = -1;         // AP @[.5:.95] all 100
  double map50 = -1;       // AP @.5
  double map75 = -1;       // AP @.75
  double map_small = -1;   // AP small
  double map_medium = -1;  // AP medium
  double map_large = -1;   // AP large
  double ar1 = -1;         // AR maxDets 1
  double ar10 = -1;        // AR maxDets 10
  double ar100 = -1;       // AR maxDets 100
  double ar_small = -1;
  double ar_medium = -1;
  double ar_large = -1;
  std::vector<CocoClassResult> per_class;  // by ascending category id
  // Detections on images or categories that the ground truth does not list; not evaluated.
  int64_t skipped_detections = 0;

  // The 12 values in COCOeval.stats order.
  std::array<double, 12> stats() const;
};

// pycocotools COCOeval(gt, dt, 'bbox').evaluate(); accumulate(); summarize(), with the standard
// parameters. Images and categories are those listed in `ground_truth`.
CocoEvalResult EvaluateBoxes(const CocoGroundTruth& ground_truth,
                             const std::vector<CocoDetection>& detections,
                             const CocoEvalOptions& options = {});

// Only evaluate() and accumulate(), for callers (and tests) that read the precision/recall arrays.
// Category index k follows ascending category ids; params.max_detections must not be empty.
CocoAccumulation AccumulateBoxes(const CocoGroundTruth& ground_truth,
                                 const std::vector<CocoDetection>& detections,
                                 const CocoEvalParams& params, const CocoEvalOptions& options = {});

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_H_
