#ifndef LABELLOOP_TRAINER_THRESHOLD_CALIBRATION_H_
#define LABELLOOP_TRAINER_THRESHOLD_CALIBRATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/error_analysis.h"

namespace labelloop {

// One validation prediction: its score and whether it matched an accepted box of its class.
struct ScoredOutcome {
  double score = 0;
  bool correct = false;
};

// Matches each image's predictions to its boxes as COCO does (per class, by descending score,
// each taking the unmatched box of its class with the highest IoU at or above iou_threshold).
// Returns one outcome per prediction with a label in 1..num_classes, and counts the boxes.
std::vector<ScoredOutcome> MatchPredictions(const std::vector<ValidationImage>& images,
                                            int num_classes, double iou_threshold,
                                            int64_t* num_truth_boxes);

struct CalibrationOptions {
  double target_precision = 0.95;
  // Fewer accepted predictions than this prove nothing: a threshold passed by 3 lucky boxes
  // would let the whole pool through.
  int64_t min_support = 20;
};

struct CalibratedThreshold {
  bool found = false;
  double target_precision = 0;  // as asked
  // Predictions scoring at or above it reach the target precision on the validation split.
  double threshold = 0;
  double precision = 0;  // of the predictions at or above the threshold
  int64_t support = 0;   // how many there are
  double recall = 0;     // share of the validation boxes they find; 0 without boxes
  // Validation predictions calibrated on (all scores).
  int64_t predictions = 0;
  // Why no threshold was found (too few predictions, or the target out of reach and how close
  // it came); empty when found.
  std::string reason;
};

// The lowest threshold t, among the predictions' scores, such that the predictions scoring >= t
// have precision >= target_precision and number at least min_support. Pure; ties in score are
// taken or left together. found is false when no threshold qualifies, with the reason.
CalibratedThreshold CalibrateThreshold(std::vector<ScoredOutcome> outcomes, int64_t num_truth_boxes,
                                       const CalibrationOptions& options);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_THRESHOLD_CALIBRATION_H_
