#ifndef LABELLOOP_INFERENCE_IMAGE_TENSOR_H_
#define LABELLOOP_INFERENCE_IMAGE_TENSOR_H_

#include <torch/types.h>

namespace cv {
class Mat;
}  // namespace cv

namespace labelloop {

// An OpenCV-decoded image (8-bit BGR, BGRA or grayscale, as cv::imdecode gives) as the detector's
// input: float32 RGB [3, H, W] in [0, 1], the same values torchvision's to_tensor produces from
// the same pixels. Throws c10::Error for other depths or channel counts.
torch::Tensor MatToRgbTensor(const cv::Mat& image);

}  // namespace labelloop

#endif  // LABELLOOP_INFERENCE_IMAGE_TENSOR_H_
