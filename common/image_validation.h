#ifndef LABELLOOP_COMMON_IMAGE_VALIDATION_H_
#define LABELLOOP_COMMON_IMAGE_VALIDATION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/image_header.h"

namespace labelloop {

struct ImageLimits {
  int64_t max_bytes = 50 << 20;
  int64_t max_pixels = 100'000'000;
};

struct ImageInfo {
  int width = 0;
  int height = 0;
};

// The checks that need no decoding: not empty, within max_bytes, a JPEG, PNG, BMP, TIFF or WebP
// whose header gives a size within max_pixels. Returns that size. For callers that decode the
// image themselves (Predict): run this first, so a decompression bomb gets no pixel memory.
absl::StatusOr<ImageDimensions> CheckImageHeader(absl::string_view bytes,
                                                 const ImageLimits& limits);

// Checks that `bytes` is a non-empty JPEG, PNG, BMP, TIFF or WebP image within the limits that
// OpenCV can decode, and returns its size. The size is read from the header and checked before
// decoding, so a file claiming more pixels than the limit never gets pixel memory. The error
// message says what is wrong in words a person can act on ("file is empty", "not a decodable image
// ...", "image is 20000x20000 pixels, over the limit of ...").
absl::StatusOr<ImageInfo> ValidateEncodedImage(absl::string_view bytes, const ImageLimits& limits);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_IMAGE_VALIDATION_H_
