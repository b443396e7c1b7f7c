#ifndef LABELLOOP_TRAINER_COCO_EVAL_MATCH_H_
#define LABELLOOP_TRAINER_COCO_EVAL_MATCH_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "trainer/coco_eval_cells.h"
#include "trainer/coco_eval_params.h"

namespace labelloop {

// What became of one detection at one IoU threshold.
enum class CocoDetectionOutcome : uint8_t {
  kFalsePositive,
  kTruePositive,
  kIgnored,  // matched to an ignored ground truth, or unmatched and outside the area range
};

// pycocotools' evaluateImg result for one (image, category, area range), reduced to what
// accumulate reads.
struct CocoCellMatch {
  int num_counted_gts = 0;  // ground truth boxes not ignored in this area range (gtIg == 0)
  int num_detections = 0;
  // Row-major [threshold][detection], detections in the cell's score order.
  std::vector<CocoDetectionOutcome> outcomes;

  CocoDetectionOutcome outcome(int threshold, int detection) const {
    return outcomes[static_cast<size_t>(threshold) * num_detections + detection];
  }
};

// Greedy matching exactly as evaluateImg: detections best first take the best still-free ground
// truth with IoU >= threshold, preferring counted boxes over ignored ones; crowd regions can take
// any number of detections.
CocoCellMatch MatchCocoCell(const CocoCell& cell, absl::Span<const double> iou_thresholds,
                            const CocoAreaRange& area_range);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_EVAL_MATCH_H_
