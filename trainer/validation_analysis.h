#ifndef LABELLOOP_TRAINER_VALIDATION_ANALYSIS_H_
#define LABELLOOP_TRAINER_VALIDATION_ANALYSIS_H_

#include <cstdint>
#include <vector>

#include "labelloop/v1/config.pb.h"
#include "trainer/model_version.h"
#include "trainer/training_evaluation.h"
#include "trainer/training_example.h"

namespace labelloop {

// Adds to `metrics` the error analysis (confusion matrix, false positives and misses per class,
// hardest images) and the auto-labeling calibration of one validation run: image_ids[i] is the
// store id of the image with boxes truth[i] and predictions detections[i].
void AddValidationAnalysis(const std::vector<int64_t>& image_ids,
                           const std::vector<std::vector<TrainingBox>>& truth,
                           const std::vector<std::vector<ScoredBox>>& detections, int num_classes,
                           double score_threshold, const v1::AutoLabelConfig& autolabel,
                           ModelVersionMetrics* metrics);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_VALIDATION_ANALYSIS_H_
