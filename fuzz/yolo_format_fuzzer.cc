// Fuzzes the YOLO importer: an image size from the first 4 bytes, then a label file's text for
// ParseYoloLabels and the shared box checks, and the writer on whatever it accepted.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "formats/import_checks.h"
#include "formats/yolo_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint16_t width = 0, height = 0;
  std::memcpy(&width, data, 2);
  std::memcpy(&height, data + 2, 2);
  labelloop::FormatDataset dataset;
  dataset.class_names = {"cat", "dog", ""};
  labelloop::FormatImage& image = dataset.images.emplace_back();
  image.file_name = "a.jpg";
  image.width = width;
  image.height = height;
  labelloop::ImportReport report;
  labelloop::ParseYoloLabels(std::string_view(reinterpret_cast<const char*>(data) + 4, size - 4),
                             "labels/a.txt", dataset.class_names, &image, &report);
  labelloop::ImportOptions options;
  options.check_image_files = false;
  labelloop::CheckImportedDataset(options, &dataset, &report);
  for (const labelloop::FormatImage& kept : dataset.images) {
    labelloop::YoloLabels(kept, dataset.class_names);
  }
  report.ToJson();
  return 0;
}
