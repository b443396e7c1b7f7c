#include "formats/import_checks.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace labelloop {
namespace {

std::string BoxText(const FormatBox& box) {
  return absl::StrFormat("[%g, %g, %g, %g] %s", box.x1, box.y1, box.x2, box.y2, box.class_name);
}

// False when the box is dropped.
bool CheckBox(const ImportOptions& options, const FormatImage& image, const std::string& where,
              FormatBox* box, ImportReport* report) {
  if (!std::isfinite(box->x1) || !std::isfinite(box->y1) || !std::isfinite(box->x2) ||
      !std::isfinite(box->y2)) {
    report->Add(ImportIssue::kNonFiniteBox, where, BoxText(*box));
    return false;
  }
  if (image.width > 0 && image.height > 0) {
    if (box->x2 <= 0 || box->y2 <= 0 || box->x1 >= image.width || box->y1 >= image.height) {
      report->Add(ImportIssue::kBoxOutsideImage, where,
                  absl::StrCat(BoxText(*box), " in a ", image.width, "x", image.height, " image"));
      return false;
    }
    const FormatBox original = *box;
    box->x1 = std::max(box->x1, 0.0);
    box->y1 = std::max(box->y1, 0.0);
    box->x2 = std::min(box->x2, static_cast<double>(image.width));
    box->y2 = std::min(box->y2, static_cast<double>(image.height));
    if (box->x1 != original.x1 || box->y1 != original.y1 || box->x2 != original.x2 ||
        box->y2 != original.y2) {
      report->Add(ImportIssue::kBoxClipped, where,
                  absl::StrCat(BoxText(original), " clipped to ", BoxText(*box), " (", image.width,
                               "x", image.height, " image)"));
    }
  }
  if (box->x2 - box->x1 <= options.min_box_pixels || box->y2 - box->y1 <= options.min_box_pixels) {
    report->Add(ImportIssue::kDegenerateBox, where,
                absl::StrFormat("%s is %gx%g px (at most %g px wide or tall)", BoxText(*box),
                                box->x2 - box->x1, box->y2 - box->y1, options.min_box_pixels));
    return false;
  }
  return true;
}

}  // namespace

void CheckImportedDataset(const ImportOptions& options, FormatDataset* dataset,
                          ImportReport* report) {
  std::vector<FormatImage> kept;
  kept.reserve(dataset->images.size());
  for (FormatImage& image : dataset->images) {
    if (options.check_image_files) {
      std::error_code error;
      if (!std::filesystem::is_regular_file(image.path, error)) {
        report->Add(ImportIssue::kMissingImageFile, image.path,
                    absl::StrCat("no such file; its ", image.boxes.size(), " box(es) dropped"));
        continue;
      }
    }
    std::vector<FormatBox> boxes;
    boxes.reserve(image.boxes.size());
    for (size_t i = 0; i < image.boxes.size(); ++i) {
      FormatBox box = image.boxes[i];
      if (CheckBox(options, image, absl::StrCat(image.file_name, " box ", i), &box, report)) {
        boxes.push_back(std::move(box));
      }
    }
    image.boxes = std::move(boxes);
    kept.push_back(std::move(image));
  }
  dataset->images = std::move(kept);
}

}  // namespace labelloop
