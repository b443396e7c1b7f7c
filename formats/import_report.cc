#include "formats/import_report.h"

#include "nlohmann/json.hpp"

namespace labelloop {

const char* ImportIssueName(ImportIssue issue) {
  switch (issue) {
    case ImportIssue::kDegenerateBox:
      return "degenerate_box";
    case ImportIssue::kBoxOutsideImage:
      return "box_outside_image";
    case ImportIssue::kBoxClipped:
      return "box_clipped";
    case ImportIssue::kNonFiniteBox:
      return "non_finite_box";
    case ImportIssue::kUnknownCategory:
      return "unknown_category";
    case ImportIssue::kUnknownImage:
      return "unknown_image";
    case ImportIssue::kCrowdRegion:
      return "crowd_region";
    case ImportIssue::kMissingImageFile:
      return "missing_image_file";
    case ImportIssue::kUnreadableImage:
      return "unreadable_image";
    case ImportIssue::kImageWithoutAnnotations:
      return "image_without_annotations";
    case ImportIssue::kMalformedEntry:
      return "malformed_entry";
    case ImportIssue::kCategoryIdsFromZero:
      return "category_ids_from_zero";
    case ImportIssue::kRejectedByDaemon:
      return "rejected_by_daemon";
  }
  return "unknown";
}

bool ImportIssueDropsData(ImportIssue issue) {
  switch (issue) {
    case ImportIssue::kBoxClipped:
    case ImportIssue::kImageWithoutAnnotations:
    case ImportIssue::kCategoryIdsFromZero:
      return false;
    default:
      return true;
  }
}

void ImportReport::Add(ImportIssue issue, std::string where, std::string detail) {
  notes_.push_back({issue, std::move(where), std::move(detail)});
}

std::map<std::string, int> ImportReport::Counts() const {
  std::map<std::string, int> counts;
  for (const ImportNote& note : notes_) ++counts[ImportIssueName(note.issue)];
  return counts;
}

int ImportReport::Count(ImportIssue issue) const {
  int count = 0;
  for (const ImportNote& note : notes_) count += note.issue == issue ? 1 : 0;
  return count;
}

int ImportReport::Dropped() const {
  int count = 0;
  for (const ImportNote& note : notes_) count += ImportIssueDropsData(note.issue) ? 1 : 0;
  return count;
}

std::string ImportReport::ToJson(size_t max_notes) const {
  nlohmann::json json;
  json["counts"] = Counts();
  nlohmann::json notes = nlohmann::json::array();
  for (size_t i = 0; i < notes_.size() && i < max_notes; ++i) {
    notes.push_back({{"issue", ImportIssueName(notes_[i].issue)},
                     {"dropped", ImportIssueDropsData(notes_[i].issue)},
                     {"where", notes_[i].where},
                     {"detail", notes_[i].detail}});
  }
  json["notes"] = std::move(notes);
  json["notes_left_out"] = notes_.size() > max_notes ? notes_.size() - max_notes : 0;
  // Invalid UTF-8 from a broken file must not throw here.
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace labelloop
