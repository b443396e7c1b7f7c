#include "common/image_header.h"

#include <algorithm>

namespace labelloop {
namespace {

uint8_t Byte(absl::string_view b, size_t at) { return static_cast<uint8_t>(b[at]); }

uint32_t BigEndian32(absl::string_view b, size_t at) {
  return (static_cast<uint32_t>(Byte(b, at)) << 24) |
         (static_cast<uint32_t>(Byte(b, at + 1)) << 16) |
         (static_cast<uint32_t>(Byte(b, at + 2)) << 8) | static_cast<uint32_t>(Byte(b, at + 3));
}

uint16_t BigEndian16(absl::string_view b, size_t at) {
  return static_cast<uint16_t>((Byte(b, at) << 8) | Byte(b, at + 1));
}

uint32_t LittleEndian32(absl::string_view b, size_t at) {
  return static_cast<uint32_t>(Byte(b, at)) | (static_cast<uint32_t>(Byte(b, at + 1)) << 8) |
         (static_cast<uint32_t>(Byte(b, at + 2)) << 16) |
         (static_cast<uint32_t>(Byte(b, at + 3)) << 24);
}

uint16_t LittleEndian16(absl::string_view b, size_t at) {
  return static_cast<uint16_t>(Byte(b, at) | (Byte(b, at + 1) << 8));
}

uint32_t LittleEndian24(absl::string_view b, size_t at) {
  return static_cast<uint32_t>(Byte(b, at)) | (static_cast<uint32_t>(Byte(b, at + 1)) << 8) |
         (static_cast<uint32_t>(Byte(b, at + 2)) << 16);
}

std::optional<ImageDimensions> PngDimensions(absl::string_view b) {
  // 8-byte signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4).
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
  return ImageDimensions{BigEndian32(b, 16), BigEndian32(b, 20)};
}

std::optional<ImageDimensions> JpegDimensions(absl::string_view b) {
  size_t at = 2;  // After SOI.
  while (at + 4 <= b.size()) {
    if (Byte(b, at) != 0xFF) {
      // libjpeg skips anything up to the next 0xFF ("extraneous bytes before marker") and reads
      // on from there; so must we, or a frame header behind garbage goes unseen.
      ++at;
      continue;
    }
    const uint8_t marker = Byte(b, at + 1);
    if (marker == 0xFF) {  // Fill byte.
      ++at;
      continue;
    }
    if (marker == 0x00 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;  // A stuffed zero (garbage to libjpeg) or a marker without a length.
      continue;
    }
    // Scan data or the end before a frame header: the decoder fails too.
    if (marker == 0xDA || marker == 0xD9) return std::nullopt;
    const uint16_t length = BigEndian16(b, at + 2);
    const bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      // Segment: length(2) precision(1) height(2) width(2).
      if (at + 9 > b.size()) return std::nullopt;
      return ImageDimensions{BigEndian16(b, at + 7), BigEndian16(b, at + 5)};
    }
    // A length under 2 skips nothing in libjpeg: it reads on after the length field.
    at += 2 + std::max<size_t>(length, 2);
  }
  return std::nullopt;
}

std::optional<ImageDimensions> BmpDimensions(absl::string_view b) {
  // File header (14 bytes), then the info header: its size(4), then the dimensions: 16-bit in the
  // 12-byte OS/2 header, signed 32-bit (negative height: top-down rows) in the later ones.
  if (b.size() < 26) return std::nullopt;
  const uint32_t info_size = LittleEndian32(b, 14);
  if (info_size == 12) return ImageDimensions{LittleEndian16(b, 18), LittleEndian16(b, 20)};
  const int64_t width = static_cast<int32_t>(LittleEndian32(b, 18));
  const int64_t height = static_cast<int32_t>(LittleEndian32(b, 22));
  return ImageDimensions{width < 0 ? -width : width, height < 0 ? -height : height};
}

std::optional<ImageDimensions> TiffDimensions(absl::string_view b) {
  // Byte order(2) 42(2) offset of the first image file directory(4); the directory is a count(2)
  // of 12-byte entries: tag(2) type(2) count(4) value(4). Width is tag 256, height 257, each a
  // SHORT (3) or LONG (4). Only the first directory: the one the decoder reads.
  const bool little = b.substr(0, 2) == "II";
  auto u16 = [&](size_t at) { return little ? LittleEndian16(b, at) : BigEndian16(b, at); };
  auto u32 = [&](size_t at) { return little ? LittleEndian32(b, at) : BigEndian32(b, at); };
  if (b.size() < 8) return std::nullopt;
  const size_t directory = u32(4);
  if (directory > b.size() || b.size() - directory < 2) return std::nullopt;
  const size_t entries = u16(directory);
  std::optional<int64_t> width, height;
  for (size_t i = 0; i < entries; ++i) {
    const size_t at = directory + 2 + 12 * i;
    if (at + 12 > b.size()) return std::nullopt;
    const uint16_t tag = u16(at);
    const uint16_t type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;
    int64_t value;
    if (type == 3) {
      value = u16(at + 8);
    } else if (type == 4) {
      value = u32(at + 8);
    } else {
      return std::nullopt;
    }
    (tag == 256 ? width : height) = value;
  }
  if (!width || !height) return std::nullopt;
  return ImageDimensions{*width, *height};
}

std::optional<ImageDimensions> WebpDimensions(absl::string_view b) {
  // "RIFF" size(4) "WEBP", then the first chunk: fourcc(4) size(4) data.
  if (b.size() < 30) return std::nullopt;
  const absl::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    // Lossy: frame tag(3), start code 9d 01 2a, then 14-bit width and height (2 scale bits).
    if (Byte(b, 23) != 0x9D || Byte(b, 24) != 0x01 || Byte(b, 25) != 0x2A) return std::nullopt;
    return ImageDimensions{LittleEndian16(b, 26) & 0x3FFF, LittleEndian16(b, 28) & 0x3FFF};
  }
  if (chunk == "VP8L") {
    // Lossless: signature 0x2f, then width - 1 and height - 1 in 14 bits each.
    if (Byte(b, 20) != 0x2F) return std::nullopt;
    const uint32_t bits = LittleEndian32(b, 21);
    return ImageDimensions{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (chunk == "VP8X") {
    // Extended: flags(4), then canvas width - 1 and height - 1 in 24 bits each.
    return ImageDimensions{LittleEndian24(b, 24) + int64_t{1}, LittleEndian24(b, 27) + int64_t{1}};
  }
  return std::nullopt;
}

}  // namespace

absl::string_view ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kTiff:
      return "TIFF";
    case ImageFormat::kWebp:
      return "WebP";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat SniffImageFormat(absl::string_view bytes) {
  static constexpr absl::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.substr(0, 8) == kPngSignature) return ImageFormat::kPng;
  if (bytes.size() >= 3 && Byte(bytes, 0) == 0xFF && Byte(bytes, 1) == 0xD8 &&
      Byte(bytes, 2) == 0xFF) {
    return ImageFormat::kJpeg;
  }
  if (bytes.substr(0, 2) == "BM") return ImageFormat::kBmp;
  if (bytes.substr(0, 4) == absl::string_view("II*\0", 4) ||
      bytes.substr(0, 4) == absl::string_view("MM\0*", 4)) {
    return ImageFormat::kTiff;
  }
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
    return ImageFormat::kWebp;
  }
  return ImageFormat::kUnknown;
}

std::optional<ImageDimensions> ReadImageDimensions(absl::string_view bytes) {
  switch (SniffImageFormat(bytes)) {
    case ImageFormat::kJpeg:
      return JpegDimensions(bytes);
    case ImageFormat::kPng:
      return PngDimensions(bytes);
    case ImageFormat::kBmp:
      return BmpDimensions(bytes);
    case ImageFormat::kTiff:
      return TiffDimensions(bytes);
    case ImageFormat::kWebp:
      return WebpDimensions(bytes);
    case ImageFormat::kUnknown:
      break;
  }
  return std::nullopt;
}

}  // namespace labelloop
