#include "cli/model/model_eval.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/model/detector_flags.h"
#include "cli/model/offline_detector.h"
#include "cli/usage_error.h"
#include "nlohmann/json.hpp"
#include "trainer/coco_eval.h"
#include "trainer/coco_json.h"

namespace labelloop {
namespace {

using Json = nlohmann::ordered_json;

// For each of the checkpoint's classes, the COCO category id of the same name, or -1.
absl::StatusOr<std::vector<int64_t>> MatchCategories(const std::vector<std::string>& class_names,
                                                     const CocoGroundTruth& ground_truth,
                                                     const std::string& coco_path,
                                                     std::ostream& err) {
  std::map<std::string, int64_t> category_ids;
  std::vector<std::string> category_names;
  for (const CocoCategory& category : ground_truth.categories) {
    category_ids[category.name] = category.id;
    category_names.push_back(category.name);
  }
  std::vector<int64_t> ids;
  std::vector<std::string> unmatched;
  for (const std::string& name : class_names) {
    auto it = category_ids.find(name);
    ids.push_back(it == category_ids.end() ? -1 : it->second);
    if (it == category_ids.end()) unmatched.push_back(name);
    if (it != category_ids.end()) category_ids.erase(it);
  }
  if (unmatched.size() == class_names.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("none of the model's classes (", absl::StrJoin(class_names, ", "),
                     ") is a category of ", coco_path, " (", absl::StrJoin(category_names, ", "),
                     "); classes and categories are matched by name"));
  }
  if (!unmatched.empty()) {
    err << "labelloop-model: classes with no category of that name, their detections are left "
           "out: "
        << absl::StrJoin(unmatched, ", ") << "\n";
  }
  if (!category_ids.empty()) {
    std::vector<std::string> missing;
    for (const auto& [name, id] : category_ids) missing.push_back(name);
    err << "labelloop-model: categories the model cannot predict (AP 0 where they have boxes): "
        << absl::StrJoin(missing, ", ") << "\n";
  }
  return ids;
}

// n/N on stderr: redrawn in place on a terminal; elsewhere a line per tenth of the run.
class ImageProgress {
 public:
  ImageProgress(std::ostream& err, bool is_tty, size_t total)
      : err_(err), is_tty_(is_tty), total_(total) {}
  void Update(size_t done) {
    if (is_tty_) {
      err_ << "\rmodel eval: " << done << "/" << total_ << " images" << std::flush;
      if (done == total_) err_ << "\n";
      return;
    }
    const size_t step = std::max<size_t>(1, total_ / 10);
    if (done % step == 0 || done == total_) {
      err_ << "model eval: " << done << "/" << total_ << " images\n" << std::flush;
    }
  }

 private:
  std::ostream& err_;
  bool is_tty_;
  size_t total_;
};

Json ResultToJson(const CocoEvalResult& result) {
  Json json;
  json["map"] = result.map;
  json["map50"] = result.map50;
  json["map75"] = result.map75;
  json["map_small"] = result.map_small;
  json["map_medium"] = result.map_medium;
  json["map_large"] = result.map_large;
  json["ar100"] = result.ar100;
  Json per_class = Json::object();
  for (const CocoClassResult& class_result : result.per_class) {
    per_class[class_result.name] = class_result.ap;
  }
  json["per_class"] = std::move(per_class);
  return json;
}

}  // namespace

absl::Status RunModelEval(const Arguments& arguments, std::ostream& out, std::ostream& err,
                          bool err_is_tty) {
  if (absl::Status status = arguments.CheckOnly(
          {"config", "weights", "classes", "threshold", "threads", "coco", "images"});
      !status.ok()) {
    return status;
  }
  if (!arguments.positionals().empty()) {
    return UsageError(
        absl::StrCat("model eval takes flags only, got '", arguments.positionals()[0], "'"));
  }
  absl::StatusOr<std::string> coco_path = arguments.Require("coco");
  if (!coco_path.ok()) return coco_path.status();
  absl::StatusOr<std::string> images_dir = arguments.Require("images");
  if (!images_dir.ok()) return images_dir.status();
  absl::StatusOr<OfflineDetectorSpec> spec = DetectorSpecFromFlags(arguments);
  if (!spec.ok()) return spec.status();
  if (spec->weights_path.empty()) {
    return UsageError("model eval needs --weights (evaluating random weights measures nothing)");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(*images_dir, error)) {
    return absl::NotFoundError(absl::StrCat("--images=", *images_dir, ": no such folder"));
  }

  absl::StatusOr<CocoGroundTruth> ground_truth = LoadCocoGroundTruthJson(*coco_path);
  if (!ground_truth.ok()) return ground_truth.status();
  absl::StatusOr<std::unique_ptr<OfflineDetector>> detector = OfflineDetector::Load(*spec, err);
  if (!detector.ok()) return detector.status();
  absl::StatusOr<std::vector<int64_t>> category_of_class =
      MatchCategories((*detector)->class_names(), *ground_truth, *coco_path, err);
  if (!category_of_class.ok()) return category_of_class.status();

  std::vector<CocoDetection> coco_detections;
  ImageProgress progress(err, err_is_tty, ground_truth->images.size());
  size_t done = 0;
  for (const CocoImage& image : ground_truth->images) {
    const std::string path = (std::filesystem::path(*images_dir) / image.file_name).string();
    // A missing image would count all its boxes as misses: refuse rather than under-report.
    absl::StatusOr<std::vector<OfflineDetection>> detections = (*detector)->DetectFile(path);
    if (!detections.ok()) {
      return absl::Status(detections.status().code(),
                          absl::StrCat("image id ", image.id, " of ", *coco_path, ": ",
                                       detections.status().message()));
    }
    for (const OfflineDetection& detection : *detections) {
      const int64_t category_id = (*category_of_class)[static_cast<size_t>(detection.class_index)];
      if (category_id < 0) continue;
      CocoDetection coco;
      coco.image_id = image.id;
      coco.category_id = category_id;
      coco.bbox = {detection.x1, detection.y1, detection.x2 - detection.x1,
                   detection.y2 - detection.y1};
      coco.score = detection.score;
      coco_detections.push_back(coco);
    }
    progress.Update(++done);
  }
  out << ResultToJson(EvaluateBoxes(*ground_truth, coco_detections)).dump() << "\n";
  return absl::OkStatus();
}

}  // namespace labelloop
