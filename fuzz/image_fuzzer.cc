// Fuzzes what every uploaded image goes through before it is stored: the header sniffing that
// rejects decompression bombs before decoding, and the decode itself.
#include <cstddef>
#include <cstdint>

#include "common/image_header.h"
#include "common/image_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  labelloop::ReadImageDimensions(bytes);
  labelloop::ImageLimits limits;
  limits.max_pixels = 4'000'000;  // keeps each run fast; the header check runs before decoding
  labelloop::ValidateEncodedImage(bytes, limits).IgnoreError();
  return 0;
}
