#ifndef LABELLOOP_SERVER_AUTO_LABEL_RULE_H_
#define LABELLOOP_SERVER_AUTO_LABEL_RULE_H_

#include <cstdint>
#include <vector>

#include "labelloop/v1/model.pb.h"

namespace labelloop {

// What an image's stored pre-labels (the detections at or above the label-assist threshold)
// say about labeling it by machine.
enum class PrelabelVerdict {
  // At least one pre-label, and every one at or above the auto-label threshold.
  kConfident,
  // Some pre-label scores below the auto-label threshold: the model is unsure, people decide.
  kAmbiguous,
  // No pre-label. Calibration vouches for the precision of confident boxes, not for the absence
  // of objects, so an empty image is never labeled "nothing here" by machine.
  kEmpty,
};

PrelabelVerdict JudgePrelabels(const v1::PredictResponse& prelabels, double threshold);

// The score machine labels must reach: the calibrated threshold, but never below the label-assist
// threshold, because weaker detections are not stored and so cannot be checked.
double AutoLabelThreshold(double calibrated, double label_assist_threshold);

// Which of `image_ids` wait for review: ceil(share x n) of them (so at least one whenever share
// is above 0), chosen by a salted hash of the image id, the same on every run. Index i answers
// for image_ids[i].
std::vector<bool> ChooseForReview(const std::vector<int64_t>& image_ids, double share);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_AUTO_LABEL_RULE_H_
