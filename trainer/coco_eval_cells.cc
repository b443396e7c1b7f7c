#include "trainer/coco_eval_cells.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "trainer/coco_eval_box_iou.h"

namespace labelloop {
namespace {

// One box routed to its (category, image) pair; `index` points into annotations or detections.
struct CellEntry {
  int category_index;
  int image_index;
  bool is_detection;
  size_t index;
};

absl::flat_hash_map<int64_t, int> IndexOf(const std::vector<int64_t>& ids) {
  absl::flat_hash_map<int64_t, int> index;
  index.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], static_cast<int>(i));
  return index;
}

std::vector<int64_t> SortedUniqueImageIds(const CocoGroundTruth& ground_truth) {
  std::vector<int64_t> ids;
  ids.reserve(ground_truth.images.size());
  for (const CocoImage& image : ground_truth.images) ids.push_back(image.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<CocoCategory> SortedUniqueCategories(const CocoGroundTruth& ground_truth) {
  std::vector<CocoCategory> categories = ground_truth.categories;
  std::stable_sort(categories.begin(), categories.end(),
                   [](const CocoCategory& a, const CocoCategory& b) { return a.id < b.id; });
  categories.erase(
      std::unique(categories.begin(), categories.end(),
                  [](const CocoCategory& a, const CocoCategory& b) { return a.id == b.id; }),
      categories.end());
  return categories;
}

// Fills one cell from its run of entries: ground truth first, then detections, each in input order.
CocoCell MakeCell(const CocoGroundTruth& ground_truth, const std::vector<CocoDetection>& detections,
                  const CellEntry* begin, const CellEntry* end, int max_detections,
                  bool honor_ignore_field) {
  CocoCell cell;
  cell.category_index = begin->category_index;
  cell.image_index = begin->image_index;
  std::vector<CocoBox> gt_boxes;
  std::vector<const CocoDetection*> dets;
  for (const CellEntry* entry = begin; entry != end; ++entry) {
    if (entry->is_detection) {
      dets.push_back(&detections[entry->index]);
      continue;
    }
    const CocoAnnotation& annotation = ground_truth.annotations[entry->index];
    const CocoBox& box = annotation.bbox;
    CocoCellGroundTruth gt;
    gt.area = annotation.area.value_or(box.width * box.height);
    gt.iscrowd = annotation.iscrowd;
    // pycocotools: gt['ignore'] = 'iscrowd' in gt and gt['iscrowd'] (the field is overwritten).
    gt.ignore = annotation.iscrowd || (honor_ignore_field && annotation.ignore);
    cell.gts.push_back(gt);
    gt_boxes.push_back(box);
  }
  // np.argsort(-score, kind='mergesort'): stable, so equal scores keep their input order.
  std::stable_sort(dets.begin(), dets.end(), [](const CocoDetection* a, const CocoDetection* b) {
    return CocoScoreRanksBefore(a->score, b->score);
  });
  if (dets.size() > static_cast<size_t>(max_detections)) dets.resize(max_detections);
  cell.det_scores.reserve(dets.size());
  cell.det_areas.reserve(dets.size());
  for (const CocoDetection* det : dets) {
    cell.det_scores.push_back(det->score);
    cell.det_areas.push_back(det->bbox.width * det->bbox.height);
  }
  if (!dets.empty() && !gt_boxes.empty()) {
    cell.ious.resize(dets.size() * gt_boxes.size());
    for (size_t d = 0; d < dets.size(); ++d) {
      for (size_t g = 0; g < gt_boxes.size(); ++g) {
        cell.ious[d * gt_boxes.size() + g] =
            CocoBoxIou(dets[d]->bbox, gt_boxes[g], cell.gts[g].iscrowd);
      }
    }
  }
  return cell;
}

}  // namespace

bool CocoScoreRanksBefore(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a > b;
}

CocoCells BuildCocoCells(const CocoGroundTruth& ground_truth,
                         const std::vector<CocoDetection>& detections, int max_detections,
                         bool honor_ignore_field) {
  CocoCells result;
  result.image_ids = SortedUniqueImageIds(ground_truth);
  result.categories = SortedUniqueCategories(ground_truth);
  const absl::flat_hash_map<int64_t, int> image_index = IndexOf(result.image_ids);
  std::vector<int64_t> category_ids;
  for (const CocoCategory& category : result.categories) category_ids.push_back(category.id);
  const absl::flat_hash_map<int64_t, int> category_index = IndexOf(category_ids);

  // Route every box to its pair, then one stable sort groups pairs without a dense
  // images x categories table (which would not fit large category sets).
  std::vector<CellEntry> entries;
  entries.reserve(ground_truth.annotations.size() + detections.size());
  for (size_t i = 0; i < ground_truth.annotations.size(); ++i) {
    const CocoAnnotation& annotation = ground_truth.annotations[i];
    auto image = image_index.find(annotation.image_id);
    auto category = category_index.find(annotation.category_id);
    if (image == image_index.end() || category == category_index.end()) continue;
    entries.push_back({category->second, image->second, false, i});
  }
  for (size_t i = 0; i < detections.size(); ++i) {
    auto image = image_index.find(detections[i].image_id);
    auto category = category_index.find(detections[i].category_id);
    if (image == image_index.end() || category == category_index.end()) {
      ++result.skipped_detections;
      continue;
    }
    entries.push_back({category->second, image->second, true, i});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const CellEntry& a, const CellEntry& b) {
    if (a.category_index != b.category_index) return a.category_index < b.category_index;
    return a.image_index < b.image_index;
  });

  for (size_t begin = 0; begin < entries.size();) {
    size_t end = begin + 1;
    while (end < entries.size() && entries[end].category_index == entries[begin].category_index &&
           entries[end].image_index == entries[begin].image_index) {
      ++end;
    }
    result.cells.push_back(MakeCell(ground_truth, detections, entries.data() + begin,
                                    entries.data() + end, max_detections, honor_ignore_field));
    begin = end;
  }
  return result;
}

}  // namespace labelloop
