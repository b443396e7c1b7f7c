#ifndef LABELLOOP_FORMATS_COCO_FORMAT_H_
#define LABELLOOP_FORMATS_COCO_FORMAT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "formats/format_dataset.h"
#include "formats/import_options.h"
#include "formats/import_report.h"

namespace labelloop {

// COCO instances JSON ("images", "categories", optional "annotations"; bbox is [x, y, width,
// height] in pixels). Unlike trainer/coco_json.h, which refuses a whole file for one bad entry
// (evaluation must not run on a half-read ground truth), an import keeps every good entry and
// notes each bad one in `report`: unknown image or category ids, crowd regions, malformed
// entries. Only a file that is not a COCO file at all (not JSON, no "images" array...) is an
// INVALID_ARGUMENT error naming the field. An annotation's optional "score" is kept (predictions).
// Classes are named by category name (ids are only the file's own keys; id 0 is noted, not
// refused). Image paths are options.images_dir (default: the JSON file's folder) / file_name,
// made absolute.
absl::StatusOr<FormatDataset> ReadCocoFile(const std::string& json_path,
                                           const ImportOptions& options, ImportReport* report);
// The same from text already read; image paths are `images_dir` / file_name.
absl::StatusOr<FormatDataset> ParseCocoJson(std::string_view json_text,
                                            const std::string& images_dir,
                                            const ImportOptions& options, ImportReport* report);

// The dataset as a COCO instances file: images and categories numbered from 1 in the dataset's
// order, one annotation per box ("score" added for boxes that have one, so a predictions export
// is both loadable back and usable as detections).
std::string CocoJson(const FormatDataset& dataset);
absl::Status WriteCocoFile(const FormatDataset& dataset, const std::string& json_path);

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_COCO_FORMAT_H_
