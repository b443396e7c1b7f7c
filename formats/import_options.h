#ifndef LABELLOOP_FORMATS_IMPORT_OPTIONS_H_
#define LABELLOOP_FORMATS_IMPORT_OPTIONS_H_

#include <string>

namespace labelloop {

struct ImportOptions {
  // Where image files are looked up; "" means the format's default (COCO: the annotation file's
  // folder; VOC: ROOT/JPEGImages or the XML folder; YOLO: ROOT/images or ROOT).
  std::string images_dir;
  // A box whose width or height (in pixels) is at most this is degenerate and dropped: BCCD's
  // point boxes (xmin == xmax) and facemask's 1-pixel-wide ones are annotation slips.
  double min_box_pixels = 1.0;
  // Drop images whose file does not exist. Off to parse annotations alone (fuzzing, tests).
  bool check_image_files = true;
};

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_IMPORT_OPTIONS_H_
