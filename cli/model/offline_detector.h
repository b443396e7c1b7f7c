#ifndef LABELLOOP_CLI_MODEL_OFFLINE_DETECTOR_H_
#define LABELLOOP_CLI_MODEL_OFFLINE_DETECTOR_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace labelloop {

class FcosImpl;

// What `labelloop model predict|eval` are told about the model to run.
struct OfflineDetectorSpec {
  // A daemon config (textproto); its `detector` section shapes the network.
  std::string config_path;
  // A labelloop safetensors checkpoint or a torchvision .pth state_dict; empty: random weights.
  std::string weights_path;
  // Class names, for weights without them (a .pth) or for random weights.
  std::vector<std::string> class_names;
  // Overrides the config's detector.score_thresh.
  std::optional<double> score_threshold;
  // CPU threads; 0: the config's detector.threads, or every core when that is 0 too.
  int threads = 0;
};

// One detection in the image's own pixels.
struct OfflineDetection {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  // Index into class_names() (the detector's label minus one: 0 is background).
  int class_index = 0;
  float score = 0;
};

// The detector of a daemon config with a checkpoint's weights, for the offline tools: no store,
// no registry, no daemon. Class names come from the checkpoint's metadata; a checkpoint without
// them (a torchvision .pth) needs spec.class_names, and when both are given they must agree. A
// checkpoint that does not fit the config (other backbone, widths or class count) is refused
// with the loader's message naming the first bad tensor.
class OfflineDetector {
 public:
  // Notes that are not errors (random weights) go to `notes`.
  static absl::StatusOr<std::unique_ptr<OfflineDetector>> Load(const OfflineDetectorSpec& spec,
                                                               std::ostream& notes);

  const std::vector<std::string>& class_names() const { return class_names_; }

  // Reads an image file with OpenCV and detects; an unreadable or undecodable file is an error
  // naming it.
  absl::StatusOr<std::vector<OfflineDetection>> DetectFile(const std::string& path) const;

 private:
  OfflineDetector(std::shared_ptr<FcosImpl> model, std::vector<std::string> class_names)
      : model_(std::move(model)), class_names_(std::move(class_names)) {}

  std::shared_ptr<FcosImpl> model_;
  std::vector<std::string> class_names_;
};

}  // namespace labelloop

#endif  // LABELLOOP_CLI_MODEL_OFFLINE_DETECTOR_H_
