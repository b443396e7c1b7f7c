// Fuzzes the VOC importer (ParseVocXml, then the shared box checks) on arbitrary text, and the
// writer on whatever it accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/import_checks.h"
#include "formats/voc_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  labelloop::ImportOptions options;
  options.check_image_files = false;
  labelloop::ImportReport report;
  labelloop::FormatDataset dataset;
  if (labelloop::ParseVocXml(std::string_view(reinterpret_cast<const char*>(data), size), "a.xml",
                             "images", &dataset, &report)) {
    labelloop::CheckImportedDataset(options, &dataset, &report);
    for (const labelloop::FormatImage& image : dataset.images) labelloop::VocXml(image);
  }
  report.ToJson();
  return 0;
}
