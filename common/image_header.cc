#include "common/image_header.h"

namespace labelloop {
namespace {

uint32_t BigEndian32(absl::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

uint16_t BigEndian16(absl::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) |
                               static_cast<uint8_t>(b[at + 1]));
}

std::optional<ImageDimensions> PngDimensions(absl::string_view b) {
  // 8-byte signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4).
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
  return ImageDimensions{BigEndian32(b, 16), BigEndian32(b, 20)};
}

std::optional<ImageDimensions> JpegDimensions(absl::string_view b) {
  size_t at = 2;  // After SOI.
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) return std::nullopt;
    uint8_t marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {  // Fill byte.
      ++at;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;  // Markers without a length.
      continue;
    }
    uint16_t length = BigEndian16(b, at + 2);
    bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      // Segment: length(2) precision(1) height(2) width(2).
      if (at + 9 > b.size()) return std::nullopt;
      return ImageDimensions{BigEndian16(b, at + 7), BigEndian16(b, at + 5)};
    }
    at += 2 + length;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageDimensions> ReadImageDimensions(absl::string_view bytes) {
  static constexpr absl::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.substr(0, 8) == kPngSignature) return PngDimensions(bytes);
  if (bytes.size() >= 3 && static_cast<uint8_t>(bytes[0]) == 0xFF &&
      static_cast<uint8_t>(bytes[1]) == 0xD8 && static_cast<uint8_t>(bytes[2]) == 0xFF) {
    return JpegDimensions(bytes);
  }
  return std::nullopt;
}

}  // namespace labelloop
