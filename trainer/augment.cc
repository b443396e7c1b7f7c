#include "trainer/augment.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>

#include "trainer/augment_ops.h"

namespace labelloop {
namespace {

double Uniform(std::mt19937_64* rng, double low, double high) {
  if (high <= low) return low;
  return std::uniform_real_distribution<double>(low, high)(*rng);
}

bool Chance(std::mt19937_64* rng, double probability) {
  if (probability <= 0) return false;
  if (probability >= 1) return true;
  return std::bernoulli_distribution(probability)(*rng);
}

int UniformInt(std::mt19937_64* rng, int low, int high) {
  if (high <= low) return low;
  return std::uniform_int_distribution<int>(low, high)(*rng);
}

// Tries random windows of `size` inside `example` until one keeps a box (any window will do
// for an example without boxes). Returns false, leaving `example` unchanged, if none does.
bool CropKeepingBoxes(const AugmentOptions& options, const cv::Size& size, std::mt19937_64* rng,
                      TrainingExample* example) {
  const int attempts = std::max(1, options.crop_attempts);
  for (int i = 0; i < attempts; ++i) {
    const int x = UniformInt(rng, 0, example->image.cols - size.width);
    const int y = UniformInt(rng, 0, example->image.rows - size.height);
    TrainingExample candidate = *example;
    CropExample(&candidate, cv::Rect(x, y, size.width, size.height), options.min_kept_fraction);
    if (!candidate.boxes.empty() || example->boxes.empty()) {
      *example = std::move(candidate);
      return true;
    }
  }
  return false;
}

void JitterScale(const AugmentOptions& options, std::mt19937_64* rng, TrainingExample* example) {
  const double factor = Uniform(rng, options.scale_min, options.scale_max);
  if (std::abs(factor - 1.0) < 1e-3) return;
  const cv::Size original = example->image.size();
  TrainingExample scaled = *example;
  ResizeExample(&scaled, factor);
  if (!example->boxes.empty() && scaled.boxes.empty()) return;
  if (factor > 1.0) {
    // Zoom in: a window of the original size out of the enlarged content.
    const cv::Size window(std::min(original.width, scaled.image.cols),
                          std::min(original.height, scaled.image.rows));
    if (!CropKeepingBoxes(options, window, rng, &scaled)) return;
  } else {
    // Zoom out: the shrunken content somewhere on a canvas of the original size.
    const cv::Point offset(UniformInt(rng, 0, original.width - scaled.image.cols),
                           UniformInt(rng, 0, original.height - scaled.image.rows));
    PlaceOnCanvas(&scaled, original, offset,
                  cv::Scalar(kPadFillBgr[0], kPadFillBgr[1], kPadFillBgr[2]));
  }
  *example = std::move(scaled);
}

void CropRandomly(const AugmentOptions& options, std::mt19937_64* rng, TrainingExample* example) {
  const double low = std::clamp<double>(options.min_crop_side, 0.05, 1.0);
  const int width =
      std::max(1, static_cast<int>(std::lround(example->image.cols * Uniform(rng, low, 1.0))));
  const int height =
      std::max(1, static_cast<int>(std::lround(example->image.rows * Uniform(rng, low, 1.0))));
  CropKeepingBoxes(options, cv::Size(width, height), rng, example);
}

}  // namespace

void Augment(const AugmentOptions& options, std::mt19937_64* rng, TrainingExample* example) {
  if (example->image.empty()) return;
  if (options.scale_min != 1.0f || options.scale_max != 1.0f) JitterScale(options, rng, example);
  if (Chance(rng, options.random_crop)) CropRandomly(options, rng, example);
  if (Chance(rng, options.horizontal_flip)) FlipHorizontally(example);
  if (options.color_jitter > 0 && example->image.type() == CV_8UC3) {
    const double s = std::min<double>(options.color_jitter, 1.0);
    const double brightness = Uniform(rng, 1.0 - s, 1.0 + s);
    const double contrast = Uniform(rng, 1.0 - s, 1.0 + s);
    const double saturation = Uniform(rng, 1.0 - s, 1.0 + s);
    JitterColor(&example->image, brightness, contrast, saturation);
  }
}

}  // namespace labelloop
