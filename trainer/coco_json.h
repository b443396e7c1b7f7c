#ifndef LABELLOOP_TRAINER_COCO_JSON_H_
#define LABELLOOP_TRAINER_COCO_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
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

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_COCO_JSON_H_
