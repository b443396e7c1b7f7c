#ifndef LABELLOOP_TRAINER_MODEL_VERSION_H_
#define LABELLOOP_TRAINER_MODEL_VERSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "labelloop/v1/model.pb.h"
#include "trainer/error_analysis.h"
#include "trainer/threshold_calibration.h"

namespace labelloop {

// A model version on disk is a folder `models/vN/` holding
//   weights.safetensors  torchvision-named tensors + CheckpointInfo metadata
//   metadata.json        ModelVersionInfo below
// and appears only complete: it is written as `models/vN.tmp-XXXXXX/` and renamed (see
// model_version_writer.h). Folders that are not `v<number>` are never versions.

inline constexpr const char kWeightsFileName[] = "weights.safetensors";
inline constexpr const char kModelMetadataFileName[] = "metadata.json";

struct ClassAp {
  std::string class_name;
  double ap = -1;  // COCO AP@[.5:.95]; -1: no validation box of the class
  double ap50 = -1;
};

// Validation metrics of a version (COCO bbox, maxDets 100). -1 where not measured, e.g. all of
// them when the project had no validation labels.
struct ModelVersionMetrics {
  double map = -1;
  double map50 = -1;
  double map75 = -1;
  double map_small = -1;
  double map_medium = -1;
  double map_large = -1;
  double ar100 = -1;
  std::vector<ClassAp> per_class;
  int64_t val_images = 0;
  // Where the model errs on the validation split (empty without validation labels), and the
  // auto-labeling threshold calibrated there (see error_analysis_json.h for their JSON).
  ErrorAnalysis analysis;
  CalibratedThreshold autolabel;
};

struct ModelVersionInfo {
  static constexpr int kCurrentFormatVersion = 1;

  std::string version;         // "v7"
  std::string parent_version;  // the version it was fine-tuned from; "" for none
  int64_t job_id = 0;
  int64_t created_unix_ms = 0;
  int64_t train_labels = 0;  // labels it was trained on
  int64_t val_labels = 0;    // labels it was evaluated on
  // Detector class i + 1 is class_names[i] (0 is the background).
  std::vector<std::string> class_names;
  ModelVersionMetrics metrics;
  int best_epoch = 0;  // 1-based epoch whose weights were kept; 0 if not chosen by validation
  int epochs = 0;
  // The DetectorConfig it was built with, in protobuf text format.
  std::string detector_config;
  // Of weights.safetensors, for DownloadCheckpoint and integrity checks.
  int64_t weights_bytes = 0;
  std::string weights_sha256;
  int format_version = kCurrentFormatVersion;
};

// "v12" -> 12; nullopt for anything else ("v12.tmp-abc", "v", "v01x", "latest").
std::optional<int64_t> ParseVersionNumber(absl::string_view name);
std::string VersionName(int64_t number);

std::string ModelVersionToJson(const ModelVersionInfo& info);
// Missing optional fields take their defaults; a malformed document or wrong types fail.
absl::StatusOr<ModelVersionInfo> ModelVersionFromJson(absl::string_view json);

// Reads `dir`/metadata.json and checks that the weights file is there. The folder's name must
// agree with the recorded version. Errors name the folder.
absl::StatusOr<ModelVersionInfo> ReadModelVersion(const std::string& dir);

// Complete versions in `models_dir` (folders named v<number>), by ascending number. A missing
// folder has none.
absl::StatusOr<std::vector<std::string>> ListModelVersions(const std::string& models_dir);

// Removes leftovers of interrupted writes (`v*.tmp-*` folders). Only safe while no writer runs
// (the daemon calls it at start-up; the writer before it writes).
absl::Status RemoveIncompleteVersions(const std::string& models_dir);

// The API's view of the metrics.
v1::ModelMetrics ToModelMetricsProto(const ModelVersionInfo& info);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_MODEL_VERSION_H_
