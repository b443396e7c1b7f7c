#ifndef LABELLOOP_TRAINER_COCO_JSON_H_
#define LABELLOOP_TRAINER_COCO_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "trainer/coco_eval.h"
#include "trainer/coco_eval_data.h"

namespace labelloop {

// Reads a COCO instances file: "images" and "categories" (required), "annotations" (optional).
// Stricter than pycocotools, because a broken file should be fixed rather than half-evaluated:
// duplicate ids, annotations pointing at unlisted images or categories, non-integer ids, and
// boxes that are not 4 finite numbers with width and height >= 0 are refused. Every error names
// the field, e.g. "annotations[3].bbox[2]: ...". Unknown fields are ignored.
absl::StatusOr<CocoGroundTruth> ParseCocoGroundTruthJson(std::string_view json_text);
absl::StatusOr<CocoGroundTruth> LoadCocoGroundTruthJson(const std::string& path);

// Reads a COCO results file: an array of {"image_id", "category_id", "bbox", "score"}.
absl::StatusOr<std::vector<CocoDetection>> ParseCocoDetectionsJson(std::string_view json_text);
absl::StatusOr<std::vector<CocoDetection>> LoadCocoDetectionsJson(const std::string& path);

// The result as one JSON object: "map", "map50", "map75", "map_small", "map_medium", "map_large",
// "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large", "skipped_detections" and
// "per_class": [{"category_id", "name", "ap", "ap50", "num_ground_truth"}]. -1 stays -1 (not
// available), so readers can tell "no ground truth" from a score of 0.
std::string CocoEvalResultToJson(const CocoEvalResult& result);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_JSON_H_
