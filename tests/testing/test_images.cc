#include "tests/testing/test_images.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace labelloop::testing {
namespace {

void PutLittleEndian(std::string& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

std::string EncodeTestBmp(int width, int height, uint32_t seed) {
  const uint32_t row_bytes = (static_cast<uint32_t>(width) * 3 + 3) & ~3u;
  const uint32_t pixel_bytes = row_bytes * static_cast<uint32_t>(height);
  std::string out;
  out.reserve(54 + pixel_bytes);
  out += "BM";
  PutLittleEndian(out, 54 + pixel_bytes, 4);  // File size.
  PutLittleEndian(out, 0, 4);                 // Reserved.
  PutLittleEndian(out, 54, 4);                // Pixel data offset.
  PutLittleEndian(out, 40, 4);                // BITMAPINFOHEADER size.
  PutLittleEndian(out, static_cast<uint32_t>(width), 4);
  PutLittleEndian(out, static_cast<uint32_t>(height), 4);
  PutLittleEndian(out, 1, 2);   // Planes.
  PutLittleEndian(out, 24, 2);  // Bits per pixel.
  PutLittleEndian(out, 0, 4);   // No compression.
  PutLittleEndian(out, pixel_bytes, 4);
  PutLittleEndian(out, 2835, 4);  // 72 dpi, both ways.
  PutLittleEndian(out, 2835, 4);
  PutLittleEndian(out, 0, 4);
  PutLittleEndian(out, 0, 4);
  uint32_t state = seed * 2654435761u + 1;
  for (int y = 0; y < height; ++y) {
    std::string row;
    for (int x = 0; x < width; ++x) {
      state = state * 1664525u + 1013904223u;
      row.push_back(static_cast<char>((x * 7 + seed) & 0xff));
      row.push_back(static_cast<char>((y * 5) & 0xff));
      row.push_back(static_cast<char>(state >> 24));
    }
    row.resize(row_bytes, '\0');
    out += row;
  }
  return out;
}

absl::Status WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

std::vector<std::filesystem::path> SampleJpegs(size_t limit) {
  const char* env = std::getenv("LABELLOOP_BCCD_DIR");
  const std::filesystem::path root =
      env != nullptr && *env != '\0' ? env : LABELLOOP_DATASETS_DIR "/bccd";
  std::vector<std::filesystem::path> found;
  std::error_code error;
  for (std::filesystem::directory_iterator it(root / "JPEGImages", error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".jpg") found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  if (found.size() > limit) found.resize(limit);
  return found;
}

}  // namespace labelloop::testing
