#include "benchmarks/al_sim/sim_dataset.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "formats/coco_format.h"
#include "formats/voc_format.h"
#include "formats/yolo_format.h"

namespace labelloop {
namespace {

absl::StatusOr<SimDataset> Summarize(absl::StatusOr<FormatDataset> dataset,
                                     const ImportReport& report, const std::string& source) {
  if (!dataset.ok()) return dataset.status();
  for (const auto& [issue, count] : report.Counts()) {
    std::cerr << source << ": " << issue << " x" << count << "\n";
  }
  if (dataset->images.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no images"));
  }
  return dataset;
}

}  // namespace

absl::StatusOr<SimDataset> LoadCocoDataset(const std::string& annotations_path,
                                           const std::string& images_dir) {
  ImportOptions options;
  options.images_dir = images_dir;
  ImportReport report;
  return Summarize(ReadCocoFile(annotations_path, options, &report), report, annotations_path);
}

absl::StatusOr<SimDataset> LoadVocDataset(const std::string& root, const std::string& image_set) {
  ImportReport report;
  return Summarize(ReadVocDataset(root, image_set, ImportOptions(), &report), report,
                   absl::StrCat(root, " (", image_set, ")"));
}

absl::StatusOr<SimDataset> LoadYoloDataset(const std::string& root) {
  ImportReport report;
  return Summarize(ReadYoloDataset(root, ImportOptions(), &report), report, root);
}

}  // namespace labelloop
