#ifndef LABELLOOP_COMMON_IMAGE_VALIDATION_H_
#define LABELLOOP_COMMON_IMAGE_VALIDATION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop {

struct ImageLimits {
  int64_t max_bytes = 50 << 20;
  int64_t max_pixels = 100'000'000;
};

struct ImageInfo {
  int width = 0;
  int height = 0;
};

// Checks that `bytes` is a non-empty image within the limits that OpenCV can decode, and returns
// its size. The error message says what is wrong in words a person can act on ("file is empty",
// "not a decodable image ...", "image is 20000x20000 pixels, over the limit of ...").
absl::StatusOr<ImageInfo> ValidateEncodedImage(absl::string_view bytes, const ImageLimits& limits);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_IMAGE_VALIDATION_H_
