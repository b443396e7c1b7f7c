#ifndef LABELLOOP_INFERENCE_SERVING_MODEL_H_
#define LABELLOOP_INFERENCE_SERVING_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "inference/fcos_options.h"

namespace cv {
class Mat;
}  // namespace cv

namespace labelloop {

class FcosImpl;

// One detection in the image's own pixels.
struct Prediction {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  // Index into class_names() (the detector's class index minus one; background is never
  // predicted).
  int class_index = 0;
  float score = 0;
};

// A loaded model version, immutable once loaded: the registry swaps whole ServingModels behind a
// shared_ptr, so a request holds the version it started with while a new one is promoted, and
// nothing half-loaded is ever reachable. Predict is safe from many threads at once.
class ServingModel {
 public:
  // Builds the detector from `options` (num_classes = class_names + 1) and loads `checkpoint`
  // into it, all or nothing: any error names the file and the first bad tensor.
  static absl::StatusOr<std::shared_ptr<const ServingModel>> Load(
      std::string version, const std::string& checkpoint, FcosOptions options,
      std::vector<std::string> class_names, int threads);
  // A model with freshly initialised weights (for tests and "scratch" baselines).
  static std::shared_ptr<const ServingModel> Untrained(std::string version, FcosOptions options,
                                                       std::vector<std::string> class_names,
                                                       int threads);

  const std::string& version() const { return version_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const FcosOptions& options() const { return options_; }

  // Decodes encoded image bytes and predicts; INVALID_ARGUMENT when they are not an image.
  absl::StatusOr<std::vector<Prediction>> PredictEncoded(absl::string_view bytes,
                                                         float min_score) const;
  // Predicts for decoded 8-bit BGR images, in one batch.
  std::vector<std::vector<Prediction>> PredictImages(const std::vector<cv::Mat>& images,
                                                     float min_score) const;

  // The network, for callers that need more than boxes (pool scoring's embeddings). Do not
  // train it: it is shared with every request.
  std::shared_ptr<FcosImpl> module() const { return module_; }

 private:
  ServingModel(std::string version, FcosOptions options, std::vector<std::string> class_names,
               int threads, std::shared_ptr<FcosImpl> module);

  std::string version_;
  FcosOptions options_;
  std::vector<std::string> class_names_;
  int threads_;
  std::shared_ptr<FcosImpl> module_;
};

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_SERVING_MODEL_H_
