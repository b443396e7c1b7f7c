#ifndef LABELLOOP_COMMON_IMAGE_HEADER_H_
#define LABELLOOP_COMMON_IMAGE_HEADER_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace labelloop {

// The encodings labelloop accepts: those whose size it can read before decoding.
enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp, kTiff, kWebp };

// "JPEG", "PNG", ... ("unknown" for kUnknown).
absl::string_view ImageFormatName(ImageFormat format);

// The format from the file's signature (the same signatures OpenCV's decoders check).
ImageFormat SniffImageFormat(absl::string_view bytes);

struct ImageDimensions {
  int64_t width = 0;
  int64_t height = 0;
};

// Reads width and height from a JPEG, PNG, BMP, TIFF or WebP header without decoding pixels, so
// an oversized image (a decompression bomb) is refused before any pixel memory is allocated. The
// JPEG reader skips stray bytes between markers as libjpeg does, so it finds the frame header the
// decoder will use. Returns nullopt for other formats and for headers it cannot parse.
std::optional<ImageDimensions> ReadImageDimensions(absl::string_view bytes);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_IMAGE_HEADER_H_
