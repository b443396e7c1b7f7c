#ifndef LABELLOOP_TRAINER_AUGMENT_H_
#define LABELLOOP_TRAINER_AUGMENT_H_

#include <random>

#include "trainer/training_example.h"

namespace labelloop {

// Random augmentation of one training example. All randomness comes from the caller's engine, so
// a seed derived from (job seed, epoch, position) gives the same augmented batch whichever
// loader thread makes it.
struct AugmentOptions {
  // Probability of a left-right mirror.
  float horizontal_flip = 0.5f;
  // Scale jitter: the content is resized by a factor in [scale_min, scale_max] and then cropped
  // or padded back to the image's size. The detector's transform resizes every input to its
  // min_size, so resizing the whole image alone would change nothing; changing the content's
  // scale inside a fixed canvas is what makes objects appear at other sizes (as in SSD's zoom
  // and large-scale jitter).
  float scale_min = 1.0f;
  float scale_max = 1.0f;
  // Brightness, contrast and saturation factors are drawn from [1 - s, 1 + s] (0: off).
  float color_jitter = 0.0f;
  // Probability of a random crop whose sides are [min_crop_side, 1] of the image's.
  float random_crop = 0.0f;
  float min_crop_side = 0.5f;
  // A box clipped by a crop is kept only if this share of its area stays visible.
  float min_kept_fraction = 0.5f;
  // Tries at finding a crop that keeps at least one box before giving up on cropping.
  int crop_attempts = 10;
};

// Applies, in order: scale jitter, random crop, horizontal flip, colour jitter. Boxes stay inside
// the image and non-degenerate (see augment_ops.h); an example that had boxes keeps at least one
// after the geometric steps (a step that would lose them all is skipped).
void Augment(const AugmentOptions& options, std::mt19937_64* rng, TrainingExample* example);

// A fill for padded areas: the ImageNet mean in BGR, which the detector normalises to zero.
inline constexpr double kPadFillBgr[3] = {103.53, 116.28, 123.675};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_AUGMENT_H_
