#include "trainer/training_evaluation.h"

#include <cstdint>

#include "trainer/coco_eval.h"

namespace labelloop {
namespace {

CocoBox ToCoco(const TrainingBox& box) {
  return {box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1};
}

}  // namespace

ModelVersionMetrics EvaluateValidation(const std::vector<std::vector<TrainingBox>>& truth,
                                       const std::vector<std::vector<ScoredBox>>& detections,
                                       const std::vector<std::string>& class_names) {
  CocoGroundTruth ground_truth;
  for (size_t k = 0; k < class_names.size(); ++k) {
    ground_truth.categories.push_back({static_cast<int64_t>(k) + 1, class_names[k]});
  }
  int64_t annotation_id = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const int64_t image_id = static_cast<int64_t>(i) + 1;
    ground_truth.images.push_back({image_id, "", 0, 0});
    for (const TrainingBox& box : truth[i]) {
      CocoAnnotation annotation;
      annotation.id = ++annotation_id;
      annotation.image_id = image_id;
      annotation.category_id = box.label;
      annotation.bbox = ToCoco(box);
      ground_truth.annotations.push_back(annotation);
    }
  }
  std::vector<CocoDetection> results;
  for (size_t i = 0; i < detections.size() && i < truth.size(); ++i) {
    for (const ScoredBox& d : detections[i]) {
      results.push_back({static_cast<int64_t>(i) + 1, d.box.label, ToCoco(d.box), d.score});
    }
  }
  const CocoEvalResult eval = EvaluateBoxes(ground_truth, results);
  ModelVersionMetrics metrics;
  metrics.map = eval.map;
  metrics.map50 = eval.map50;
  metrics.map75 = eval.map75;
  metrics.map_small = eval.map_small;
  metrics.map_medium = eval.map_medium;
  metrics.map_large = eval.map_large;
  metrics.ar100 = eval.ar100;
  metrics.val_images = static_cast<int64_t>(truth.size());
  for (const CocoClassResult& c : eval.per_class) {
    metrics.per_class.push_back({c.name, c.ap, c.ap50});
  }
  return metrics;
}

}  // namespace labelloop
