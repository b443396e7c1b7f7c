#include "server/auto_label_rule.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace labelloop {
namespace {

uint64_t ReviewHash(int64_t image_id) {
  uint64_t z = static_cast<uint64_t>(image_id) + 0x6175746F6C6162ULL;  // "autolab"
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

PrelabelVerdict JudgePrelabels(const v1::PredictResponse& prelabels, double threshold) {
  if (prelabels.detections().empty()) return PrelabelVerdict::kEmpty;
  for (const v1::Box& box : prelabels.detections()) {
    if (box.score() < threshold) return PrelabelVerdict::kAmbiguous;
  }
  return PrelabelVerdict::kConfident;
}

double AutoLabelThreshold(double calibrated, double label_assist_threshold) {
  return std::max(calibrated, label_assist_threshold);
}

std::vector<bool> ChooseForReview(const std::vector<int64_t>& image_ids, double share) {
  std::vector<bool> review(image_ids.size(), false);
  if (image_ids.empty() || share <= 0) return review;
  // The share comes from a float config field (0.1f is 0.10000000149): without the slack, 10
  // images at 0.1 would review 2.
  const size_t wanted = std::min(
      image_ids.size(),
      static_cast<size_t>(std::ceil(share * static_cast<double>(image_ids.size()) - 1e-6)));
  std::vector<size_t> order(image_ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const uint64_t ha = ReviewHash(image_ids[a]);
    const uint64_t hb = ReviewHash(image_ids[b]);
    return ha != hb ? ha < hb : image_ids[a] < image_ids[b];
  });
  for (size_t i = 0; i < wanted; ++i) review[order[i]] = true;
  return review;
}

}  // namespace labelloop
