#ifndef LABELLOOP_FORMATS_IMPORT_REPORT_H_
#define LABELLOOP_FORMATS_IMPORT_REPORT_H_

#include <map>
#include <string>
#include <vector>

namespace labelloop {

// Why an importer dropped (or changed) something instead of failing the whole import: one bad
// box in 5,000 should cost that box, with a line saying so, not the dataset.
enum class ImportIssue {
  kDegenerateBox,            // width or height at most the minimum box size: dropped
  kBoxOutsideImage,          // no overlap with the image: dropped
  kBoxClipped,               // partly outside: clipped to the image, kept
  kNonFiniteBox,             // NaN or infinite coordinates: dropped
  kUnknownCategory,          // a category id / class index the file does not define: box dropped
  kUnknownImage,             // an annotation of an image the file does not list: dropped
  kCrowdRegion,              // COCO iscrowd=1: a region, not a box someone draws; dropped
  kMissingImageFile,         // the image file does not exist: image and its boxes dropped
  kUnreadableImage,          // its size cannot be read (YOLO needs it): image dropped
  kImageWithoutAnnotations,  // imported as "no objects" (COCO, VOC and YOLO all mean that)
  kMalformedEntry,           // an entry or line that cannot be read: dropped
  kCategoryIdsFromZero,      // COCO category id 0 (valid, but many tools treat 0 as background)
  kRejectedByDaemon,         // the daemon refused the image or its label (its reason follows)
};

// The stable name used in JSON reports ("degenerate_box", ...).
const char* ImportIssueName(ImportIssue issue);
// True when the issue lost data (a box or an image), false when it only notes something.
bool ImportIssueDropsData(ImportIssue issue);

struct ImportNote {
  ImportIssue issue;
  // Where: "annotations[12]", "Annotations/x.xml: object 3", "labels/a.txt:4", an image path.
  std::string where;
  std::string detail;
};

// What an import read, and everything it skipped or changed, with where and why.
class ImportReport {
 public:
  void Add(ImportIssue issue, std::string where, std::string detail);
  const std::vector<ImportNote>& notes() const { return notes_; }
  // Notes per issue name, e.g. {"degenerate_box": 2}.
  std::map<std::string, int> Counts() const;
  int Count(ImportIssue issue) const;
  // Notes whose issue lost data (ImportIssueDropsData).
  int Dropped() const;

  // {"counts": {...}, "notes": [{"issue", "where", "detail"}, ...]}; at most `max_notes`
  // notes are listed (counts are always complete) so a broken 1M-box file gives a readable
  // report, and "notes_left_out" says how many were not.
  std::string ToJson(size_t max_notes = 1000) const;

 private:
  std::vector<ImportNote> notes_;
};

}  // namespace labelloop

#endif  // LABELLOOP_FORMATS_IMPORT_REPORT_H_
