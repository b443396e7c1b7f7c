#include "cli/dataset_format.h"

#include "absl/strings/str_cat.h"
#include "cli/usage_error.h"

namespace labelloop {

absl::StatusOr<DatasetFormat> ParseDatasetFormat(const Arguments& arguments) {
  std::optional<std::string> format = arguments.Get("format");
  if (!format.has_value()) return UsageError("--format=coco|voc|yolo is required");
  if (*format == "coco") return DatasetFormat::kCoco;
  if (*format == "voc") return DatasetFormat::kVoc;
  if (*format == "yolo") return DatasetFormat::kYolo;
  return UsageError(absl::StrCat("--format wants coco, voc or yolo, got '", *format, "'"));
}

const char* DatasetFormatName(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kCoco:
      return "coco";
    case DatasetFormat::kVoc:
      return "voc";
    case DatasetFormat::kYolo:
      return "yolo";
  }
  return "unknown";
}

}  // namespace labelloop
