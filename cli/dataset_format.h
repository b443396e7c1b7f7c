#ifndef LABELLOOP_CLI_DATASET_FORMAT_H_
#define LABELLOOP_CLI_DATASET_FORMAT_H_

#include "absl/status/statusor.h"
#include "cli/arguments.h"

namespace labelloop {

enum class DatasetFormat { kCoco, kVoc, kYolo };

// --format=coco|voc|yolo (required), as a usage error naming the choices otherwise.
absl::StatusOr<DatasetFormat> ParseDatasetFormat(const Arguments& arguments);
const char* DatasetFormatName(DatasetFormat format);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_DATASET_FORMAT_H_
