#include "common/image_validation.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "common/image_header.h"

namespace labelloop {
namespace {

absl::Status TooManyPixels(int64_t width, int64_t height, int64_t limit) {
  return absl::InvalidArgumentError(absl::StrCat("image is ", width, "x", height, " = ",
                                                 width * height, " pixels, over the limit of ",
                                                 limit));
}

}  // namespace

absl::StatusOr<ImageInfo> ValidateEncodedImage(absl::string_view bytes, const ImageLimits& limits) {
  if (bytes.empty()) return absl::InvalidArgumentError("file is empty");
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "image is ", bytes.size(), " bytes, over the limit of ", limits.max_bytes, " bytes"));
  }
  if (std::optional<ImageDimensions> dims = ReadImageDimensions(bytes)) {
    if (dims->width * dims->height > limits.max_pixels) {
      return TooManyPixels(dims->width, dims->height, limits.max_pixels);
    }
  }
  cv::Mat image;
  try {
    cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    image = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not a decodable image: ", e.msg));
  }
  if (image.empty()) {
    return absl::InvalidArgumentError(
        "not a decodable image (expected JPEG, PNG, BMP, TIFF or WebP)");
  }
  if (static_cast<int64_t>(image.cols) * image.rows > limits.max_pixels) {
    return TooManyPixels(image.cols, image.rows, limits.max_pixels);
  }
  return ImageInfo{image.cols, image.rows};
}

}  // namespace labelloop
