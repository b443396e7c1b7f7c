#ifndef LABELLOOP_COMMON_IMAGE_HEADER_H_
#define LABELLOOP_COMMON_IMAGE_HEADER_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace labelloop {

struct ImageDimensions {
  int64_t width = 0;
  int64_t height = 0;
};

// Reads width and height from a PNG or JPEG header without decoding pixels, so an oversized
// image (a decompression bomb) is refused before any pixel memory is allocated. Returns nullopt
// for other formats or headers it cannot parse; the decoder then has the last word.
std::optional<ImageDimensions> ReadImageDimensions(absl::string_view bytes);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_IMAGE_HEADER_H_
