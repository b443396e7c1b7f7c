// Fuzzes the COCO importer (ParseCocoJson, with the shared box checks) on arbitrary text, and the
// writer on whatever it accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/coco_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  labelloop::ImportOptions options;
  options.check_image_files = false;
  labelloop::ImportReport report;
  absl::StatusOr<labelloop::FormatDataset> dataset = labelloop::ParseCocoJson(
      std::string_view(reinterpret_cast<const char*>(data), size), "images", options, &report);
  report.ToJson();
  if (dataset.ok()) labelloop::CocoJson(*dataset);
  return 0;
}
