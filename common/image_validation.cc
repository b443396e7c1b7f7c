#include "common/image_validation.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "common/image_header.h"

namespace labelloop {
namespace {

// Header fields are untrusted: a PNG may claim 2^32-1 x 2^32-1 pixels, whose product overflows
// int64. Dimensions are below 2^32 (PNG's fields are 32-bit, JPEG's 16-bit, OpenCV's int), so
// the product is exact in uint64.
uint64_t PixelCount(int64_t width, int64_t height) {
  return static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
}

bool OverPixelLimit(int64_t width, int64_t height, int64_t limit) {
  return PixelCount(width, height) > static_cast<uint64_t>(limit);
}

absl::Status TooManyPixels(int64_t width, int64_t height, int64_t limit) {
  return absl::InvalidArgumentError(absl::StrCat("image is ", width, "x", height, " = ",
                                                 PixelCount(width, height),
                                                 " pixels, over the limit of ", limit));
}

}  // namespace

absl::StatusOr<ImageDimensions> CheckImageHeader(absl::string_view bytes,
                                                 const ImageLimits& limits) {
  if (bytes.empty()) return absl::InvalidArgumentError("file is empty");
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "image is ", bytes.size(), " bytes, over the limit of ", limits.max_bytes, " bytes"));
  }
  // Only formats whose size is known before decoding: OpenCV would otherwise allocate whatever
  // a header claims (up to 2^30 pixels) before finding out the data is not there.
  const ImageFormat format = SniffImageFormat(bytes);
  if (format == ImageFormat::kUnknown) {
    return absl::InvalidArgumentError(
        "not a decodable image (expected JPEG, PNG, BMP, TIFF or WebP)");
  }
  std::optional<ImageDimensions> dims = ReadImageDimensions(bytes);
  if (!dims.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a decodable image: a ", ImageFormatName(format), " header without a readable size"));
  }
  if (OverPixelLimit(dims->width, dims->height, limits.max_pixels)) {
    return TooManyPixels(dims->width, dims->height, limits.max_pixels);
  }
  return *dims;
}

absl::StatusOr<ImageInfo> ValidateEncodedImage(absl::string_view bytes, const ImageLimits& limits) {
  absl::StatusOr<ImageDimensions> header = CheckImageHeader(bytes, limits);
  if (!header.ok()) return header.status();
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
  if (OverPixelLimit(image.cols, image.rows, limits.max_pixels)) {
    return TooManyPixels(image.cols, image.rows, limits.max_pixels);
  }
  return ImageInfo{image.cols, image.rows};
}

}  // namespace labelloop
