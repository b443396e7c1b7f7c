#ifndef LABELLOOP_TRAINER_ERROR_ANALYSIS_H_
#define LABELLOOP_TRAINER_ERROR_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace labelloop {

// A box in an image's pixels with its detector class index (1-based; 0 is the background) and,
// for a prediction, its score. Plain doubles so that the analysis needs neither torch nor OpenCV.
struct AnalysisBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  int64_t label = 0;
  double score = 1;
};

// One validation image: its accepted boxes and the model's predictions.
struct ValidationImage {
  int64_t image_id = 0;
  std::vector<AnalysisBox> truth;
  std::vector<AnalysisBox> predictions;
};

struct ClassErrorCounts {
  int64_t true_positives = 0;   // predicted with the right class
  int64_t false_positives = 0;  // predicted as this class on background or another class
  int64_t misses = 0;           // a box of this class found by nothing or as another class
};

// An image the model gets most wrong, by per-image F1 (lowest first).
struct HardImage {
  int64_t image_id = 0;
  double f1 = 0;
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t misses = 0;
};

struct ErrorAnalysisOptions {
  // Predictions below this score are not shown to annotators as pre-labels either; counting them
  // would make every image look full of false positives.
  double score_threshold = 0.3;
  double iou_threshold = 0.5;
  int max_hard_images = 8;
};

// Where a model errs on the validation split, at one operating point (score and IoU thresholds).
struct ErrorAnalysis {
  double score_threshold = 0;
  double iou_threshold = 0;
  // (K + 1) x (K + 1) counts, row = true class, column = predicted class, for the K classes in
  // detector order (index k is detector class k + 1); index K is the background: row K holds
  // predictions that match no box, column K the boxes that no prediction found.
  std::vector<std::vector<int64_t>> confusion;
  std::vector<ClassErrorCounts> per_class;  // K entries
  std::vector<HardImage> hardest;

  bool empty() const { return confusion.empty(); }
};

// Matches each image's predictions (at or above options.score_threshold) to its boxes one to
// one, regardless of class, greedily by descending IoU at or above options.iou_threshold, and
// counts the pairs in a confusion matrix. Per-image F1 counts a pair as right only when the
// classes agree; an image without boxes and predictions has F1 1. Labels outside 1..num_classes
// are ignored.
ErrorAnalysis AnalyzeErrors(const std::vector<ValidationImage>& images, int num_classes,
                            const ErrorAnalysisOptions& options = {});

// Intersection over union of two boxes; 0 for empty ones.
double BoxIou(const AnalysisBox& a, const AnalysisBox& b);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_ERROR_ANALYSIS_H_
