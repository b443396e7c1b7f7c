#ifndef LABELLOOP_FORMATS_VOC_FORMAT_H_
#define LABELLOOP_FORMATS_VOC_FORMAT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "formats/format_dataset.h"
#include "formats/import_options.h"
#include "formats/import_report.h"

namespace labelloop {

// Pascal VOC: one XML file per image (<filename>, <size>, <object> with <name> and <bndbox>).
// VOC pixel indices are 1-based and inclusive, so xmin=1..xmax=W covers a W-pixel-wide image;
// in corners that is x1 = xmin - 1, x2 = xmax, and writing does the reverse. Objects marked
// difficult are kept. An optional <score> in an object (written by our predictions export) is
// read as the box's score.
//
// `root` is a VOC folder (Annotations/, JPEGImages/, ImageSets/Main/) or a folder of XML files.
// `image_set` names ImageSets/Main/<image_set>.txt to read only those; "" reads every XML file.
// A file that cannot be read as VOC is noted as malformed and skipped; only a missing folder or
// image set is an error. Images are looked up in options.images_dir, else root/JPEGImages when
// it exists, else beside the XML.
absl::StatusOr<FormatDataset> ReadVocDataset(const std::string& root, const std::string& image_set,
                                             const ImportOptions& options, ImportReport* report);

// One annotation file's text into `dataset` (appending its image and any new class names);
// `where` names it in notes. False when the file is not readable as VOC (noted in `report`).
bool ParseVocXml(std::string_view xml, const std::string& where, const std::string& images_dir,
                 FormatDataset* dataset, ImportReport* report);

// One image's annotation file.
std::string VocXml(const FormatImage& image);
// out_dir/Annotations/<stem of file_name>.xml for every image, and
// out_dir/ImageSets/Main/all.txt listing the stems.
absl::Status WriteVocDataset(const FormatDataset& dataset, const std::string& out_dir);

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_VOC_FORMAT_H_
