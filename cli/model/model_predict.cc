#include "cli/model/model_predict.h"

#include <charconv>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/model/detector_flags.h"
#include "cli/model/offline_detector.h"
#include "cli/usage_error.h"
#include "nlohmann/json.hpp"

namespace labelloop {
namespace {

using Json = nlohmann::ordered_json;

// The shortest decimal that reads back as the same float, as the daemon-side CLI prints boxes:
// a float printed as double shows noise digits (0.1f as 0.10000000149011612).
double FloatForJson(float value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer) - 1, value);
  if (error != std::errc()) return value;
  *end = '\0';
  return std::strtod(buffer, nullptr);
}

Json DetectionToJson(const OfflineDetection& detection,
                     const std::vector<std::string>& class_names) {
  Json json;
  json["box"] = {FloatForJson(detection.x1), FloatForJson(detection.y1), FloatForJson(detection.x2),
                 FloatForJson(detection.y2)};
  json["class"] = class_names.at(static_cast<size_t>(detection.class_index));
  json["score"] = FloatForJson(detection.score);
  return json;
}

}  // namespace

absl::Status RunModelPredict(const Arguments& arguments, std::ostream& out, std::ostream& err) {
  if (absl::Status status =
          arguments.CheckOnly({"config", "weights", "classes", "threshold", "threads"});
      !status.ok()) {
    return status;
  }
  if (arguments.positionals().empty()) return UsageError("model predict needs at least one IMAGE");
  absl::StatusOr<OfflineDetectorSpec> spec = DetectorSpecFromFlags(arguments);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<std::unique_ptr<OfflineDetector>> detector = OfflineDetector::Load(*spec, err);
  if (!detector.ok()) return detector.status();

  int failed = 0;
  absl::Status last_error;
  for (const std::string& path : arguments.positionals()) {
    absl::StatusOr<std::vector<OfflineDetection>> detections = (*detector)->DetectFile(path);
    if (!detections.ok()) {
      // One bad file should not hide the answers for the others: report it and go on.
      err << "labelloop-model: " << detections.status().message() << "\n";
      ++failed;
      last_error = detections.status();
      continue;
    }
    Json line;
    line["image"] = path;
    line["detections"] = Json::array();
    for (const OfflineDetection& detection : *detections) {
      line["detections"].push_back(DetectionToJson(detection, (*detector)->class_names()));
    }
    out << line.dump() << "\n" << std::flush;
  }
  if (failed == 0) return absl::OkStatus();
  // Each failure was reported above; the error only sums up, so nothing is said twice.
  return absl::Status(
      last_error.code(),
      absl::StrCat(failed, " of ", arguments.positionals().size(), " image(s) failed"));
}

}  // namespace labelloop
