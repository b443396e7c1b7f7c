#include "trainer/validation_analysis.h"

#include "trainer/error_analysis.h"
#include "trainer/threshold_calibration.h"

namespace labelloop {
namespace {

AnalysisBox ToAnalysisBox(const TrainingBox& box, double score) {
  return {box.x1, box.y1, box.x2, box.y2, box.label, score};
}

}  // namespace

void AddValidationAnalysis(const std::vector<int64_t>& image_ids,
                           const std::vector<std::vector<TrainingBox>>& truth,
                           const std::vector<std::vector<ScoredBox>>& detections, int num_classes,
                           double score_threshold, const v1::AutoLabelConfig& autolabel,
                           ModelVersionMetrics* metrics) {
  std::vector<ValidationImage> images(truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    images[i].image_id = i < image_ids.size() ? image_ids[i] : 0;
    for (const TrainingBox& box : truth[i]) images[i].truth.push_back(ToAnalysisBox(box, 1.0));
    if (i < detections.size()) {
      for (const ScoredBox& d : detections[i]) {
        images[i].predictions.push_back(ToAnalysisBox(d.box, d.score));
      }
    }
  }
  ErrorAnalysisOptions options;
  options.score_threshold = score_threshold;
  metrics->analysis = AnalyzeErrors(images, num_classes, options);
  int64_t boxes = 0;
  std::vector<ScoredOutcome> outcomes =
      MatchPredictions(images, num_classes, autolabel.iou_threshold(), &boxes);
  CalibrationOptions calibration;
  calibration.target_precision = autolabel.target_precision();
  calibration.min_support = autolabel.min_support();
  metrics->autolabel = CalibrateThreshold(std::move(outcomes), boxes, calibration);
}

}  // namespace labelloop
