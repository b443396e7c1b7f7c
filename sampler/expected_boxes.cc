#include "sampler/expected_boxes.h"

#include <algorithm>
#include <vector>

#include "sampler/tta_consistency.h"  // BoxIou

namespace labelloop {

double ExpectedBoxCount(absl::Span<const ScoredDetection> pre_labels, double nms_iou) {
  std::vector<const ScoredDetection*> order;
  for (const ScoredDetection& d : pre_labels) {
    if (d.score > 0.0f && d.score <= 1.0f) order.push_back(&d);
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const ScoredDetection* a, const ScoredDetection* b) { return a->score > b->score; });
  std::vector<const ScoredDetection*> kept;
  double expected = 0;
  for (const ScoredDetection* d : order) {
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const ScoredDetection* k) {
      return BoxIou(k->box, d->box) >= nms_iou;
    });
    if (suppressed) continue;
    kept.push_back(d);
    expected += d->score;
  }
  return expected;
}

}  // namespace labelloop
