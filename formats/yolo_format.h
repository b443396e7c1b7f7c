#ifndef LABELLOOP_FORMATS_YOLO_FORMAT_H_
#define LABELLOOP_FORMATS_YOLO_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "formats/format_dataset.h"
#include "formats/import_options.h"
#include "formats/import_report.h"

namespace labelloop {

// YOLO txt (Darknet / Ultralytics): one text file per image, a line per box
// "CLASS_INDEX CX CY W H [SCORE]" with the centre and size relative to the image (0..1), the
// class a 0-based index into classes.txt (or obj.names), one name per line. The score column is
// Ultralytics' save_conf convention, for predictions.
//
// `root` holds classes.txt or obj.names, and either images/ and labels/ side by side (labels/
// mirrors images/, a.jpg -> a.txt) or the label files beside the images. Every image file under
// the images folder (options.images_dir, else root/images, else root) is imported; one without a
// label file is a background image (no objects), as in Ultralytics, and noted. A label file
// without an image is noted as a missing image. Sizes come from the image headers (JPEG, PNG);
// an image whose size cannot be read, but has boxes, is dropped and noted.
absl::StatusOr<FormatDataset> ReadYoloDataset(const std::string& root, const ImportOptions& options,
                                              ImportReport* report);

// The class list of a classes.txt / obj.names file.
std::vector<std::string> ParseYoloClassNames(std::string_view text);
// One label file's lines, appended to image->boxes (the image's width and height must be set).
void ParseYoloLabels(std::string_view text, const std::string& where,
                     const std::vector<std::string>& class_names, FormatImage* image,
                     ImportReport* report);

// One image's label file text. Boxes whose class is not in `class_names` are left out (the
// writer below adds every class first).
std::string YoloLabels(const FormatImage& image, const std::vector<std::string>& class_names);
// out_dir/classes.txt (the dataset's classes, then any other class a box uses) and
// out_dir/labels/<file_name without extension>.txt for every image, empty for no objects.
// INVALID_ARGUMENT for an image of unknown size, which YOLO cannot express.
absl::Status WriteYoloDataset(const FormatDataset& dataset, const std::string& out_dir);

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_YOLO_FORMAT_H_
