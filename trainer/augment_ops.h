#ifndef LABELLOOP_TRAINER_AUGMENT_OPS_H_
#define LABELLOOP_TRAINER_AUGMENT_OPS_H_

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "trainer/training_example.h"

namespace labelloop {

// The deterministic image-and-box transforms that augmentation draws from. Each keeps the boxes
// consistent with the pixels: inside the image and never degenerate (a box that would become
// thinner than `kMinBoxSide` pixels, or lose most of its area, is dropped rather than kept as a
// sliver the loss would choke on).

// Boxes narrower or shorter than this (pixels) after a transform are dropped: FCOS's GIoU and
// centerness targets are ill-defined for them, and the detector refuses empty boxes outright.
inline constexpr float kMinBoxSide = 1.0f;

// Mirrors the image left-right; x1' = W - x2, x2' = W - x1.
void FlipHorizontally(TrainingExample* example);

// Resizes the image by `factor` (bilinear; area averaging when shrinking, which keeps thin
// structures from aliasing) and scales the boxes with it. Boxes that become too small are
// dropped.
void ResizeExample(TrainingExample* example, double factor);

// Keeps the part of the image inside `window` (clamped to the image). Boxes are shifted and
// clipped to it; a box is dropped when its visible part keeps less than `min_kept_fraction` of
// its area (it would teach the detector that a mostly hidden object is the whole object) or when
// it becomes thinner than kMinBoxSide.
void CropExample(TrainingExample* example, const cv::Rect& window, float min_kept_fraction);

// Puts the image onto a `canvas` of the given size at `offset` (the rest filled with `fill`),
// moving the boxes with it. The canvas must hold the whole image at that offset.
void PlaceOnCanvas(TrainingExample* example, const cv::Size& canvas, const cv::Point& offset,
                   const cv::Scalar& fill);

// torchvision ColorJitter's three factors on an 8-bit BGR image, in its order (brightness,
// contrast, saturation), each 1.0 for "unchanged": brightness scales the pixels, contrast blends
// with the mean grey level, saturation blends with the per-pixel grey image. Results saturate to
// [0, 255].
void JitterColor(cv::Mat* image, double brightness, double contrast, double saturation);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_AUGMENT_OPS_H_
