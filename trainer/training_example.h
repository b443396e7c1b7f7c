#ifndef LABELLOOP_TRAINER_TRAINING_EXAMPLE_H_
#define LABELLOOP_TRAINER_TRAINING_EXAMPLE_H_

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace labelloop {

// A ground-truth box in an image's pixels, with its detector class index (1-based; 0 is the
// background, torchvision's numbering).
struct TrainingBox {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  int64_t label = 0;

  float width() const { return x2 - x1; }
  float height() const { return y2 - y1; }
  float area() const { return width() * height(); }
};

// A decoded image (8-bit BGR, as cv::imdecode gives) and its boxes, as augmentation and the
// batch loader pass it along. Plain OpenCV so that none of them needs torch.
struct TrainingExample {
  int64_t image_id = 0;
  cv::Mat image;
  std::vector<TrainingBox> boxes;
};

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_EXAMPLE_H_
