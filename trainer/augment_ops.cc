#include "trainer/augment_ops.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace labelloop {
namespace {

bool LargeEnough(const TrainingBox& box) {
  return box.width() >= kMinBoxSide && box.height() >= kMinBoxSide;
}

void DropSmallBoxes(std::vector<TrainingBox>* boxes) {
  boxes->erase(std::remove_if(boxes->begin(), boxes->end(),
                              [](const TrainingBox& b) { return !LargeEnough(b); }),
               boxes->end());
}

}  // namespace

void FlipHorizontally(TrainingExample* example) {
  cv::Mat flipped;
  cv::flip(example->image, flipped, 1);
  example->image = flipped;
  const float width = static_cast<float>(example->image.cols);
  for (TrainingBox& box : example->boxes) {
    const float x1 = width - box.x2;
    const float x2 = width - box.x1;
    box.x1 = x1;
    box.x2 = x2;
  }
}

void ResizeExample(TrainingExample* example, double factor) {
  if (factor == 1.0 || example->image.empty()) return;
  const int width = std::max(1, static_cast<int>(std::lround(example->image.cols * factor)));
  const int height = std::max(1, static_cast<int>(std::lround(example->image.rows * factor)));
  // The exact per-axis ratios, so boxes follow the pixels after rounding the size.
  const float sx = static_cast<float>(width) / static_cast<float>(example->image.cols);
  const float sy = static_cast<float>(height) / static_cast<float>(example->image.rows);
  cv::Mat resized;
  cv::resize(example->image, resized, cv::Size(width, height), 0, 0,
             factor < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  example->image = resized;
  for (TrainingBox& box : example->boxes) {
    box.x1 = std::clamp(box.x1 * sx, 0.0f, static_cast<float>(width));
    box.x2 = std::clamp(box.x2 * sx, 0.0f, static_cast<float>(width));
    box.y1 = std::clamp(box.y1 * sy, 0.0f, static_cast<float>(height));
    box.y2 = std::clamp(box.y2 * sy, 0.0f, static_cast<float>(height));
  }
  DropSmallBoxes(&example->boxes);
}

void CropExample(TrainingExample* example, const cv::Rect& window, float min_kept_fraction) {
  const cv::Rect clamped = window & cv::Rect(0, 0, example->image.cols, example->image.rows);
  if (clamped.empty()) {
    example->image = cv::Mat();
    example->boxes.clear();
    return;
  }
  // clone(): the crop must not keep the whole source image alive (or share it with the caller).
  example->image = example->image(clamped).clone();
  const float left = static_cast<float>(clamped.x);
  const float top = static_cast<float>(clamped.y);
  const float width = static_cast<float>(clamped.width);
  const float height = static_cast<float>(clamped.height);
  std::vector<TrainingBox> kept;
  kept.reserve(example->boxes.size());
  for (const TrainingBox& box : example->boxes) {
    TrainingBox moved = box;
    moved.x1 = std::clamp(box.x1 - left, 0.0f, width);
    moved.x2 = std::clamp(box.x2 - left, 0.0f, width);
    moved.y1 = std::clamp(box.y1 - top, 0.0f, height);
    moved.y2 = std::clamp(box.y2 - top, 0.0f, height);
    if (!LargeEnough(moved)) continue;
    if (moved.area() < min_kept_fraction * box.area()) continue;
    kept.push_back(moved);
  }
  example->boxes = std::move(kept);
}

void PlaceOnCanvas(TrainingExample* example, const cv::Size& canvas, const cv::Point& offset,
                   const cv::Scalar& fill) {
  cv::Mat out(canvas, example->image.type(), fill);
  const cv::Rect target(offset, example->image.size());
  example->image.copyTo(out(target & cv::Rect(cv::Point(0, 0), canvas)));
  example->image = out;
  for (TrainingBox& box : example->boxes) {
    box.x1 += static_cast<float>(offset.x);
    box.x2 += static_cast<float>(offset.x);
    box.y1 += static_cast<float>(offset.y);
    box.y2 += static_cast<float>(offset.y);
  }
}

void JitterColor(cv::Mat* image, double brightness, double contrast, double saturation) {
  CV_Assert(image->type() == CV_8UC3);
  // Each step rounds and saturates back to 8 bits, as torchvision does on uint8 images.
  cv::Mat work;
  image->convertTo(work, CV_8UC3, brightness);
  if (contrast != 1.0) {
    cv::Mat grey;
    cv::cvtColor(work, grey, cv::COLOR_BGR2GRAY);
    const double mean = cv::mean(grey)[0];
    work.convertTo(work, CV_8UC3, contrast, (1.0 - contrast) * mean);
  }
  if (saturation != 1.0) {
    cv::Mat grey;
    cv::cvtColor(work, grey, cv::COLOR_BGR2GRAY);
    cv::Mat grey3;
    cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
    cv::addWeighted(work, saturation, grey3, 1.0 - saturation, 0.0, work);
  }
  *image = work;
}

}  // namespace labelloop
