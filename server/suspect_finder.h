#ifndef LABELLOOP_SERVER_SUSPECT_FINDER_H_
#define LABELLOOP_SERVER_SUSPECT_FINDER_H_

#include <string>
#include <vector>

#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/suspects.pb.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// One finding on one image, before it is stored (no ids, model or label version yet).
struct SuspectFinding {
  v1::SuspectKind kind = v1::SUSPECT_KIND_UNSPECIFIED;
  float suspicion = 0;
  std::string reason;
  int label_box_index = -1;  // -1: no labeled box (a missing box)
  v1::Box label_box;         // Empty for a missing box.
  v1::Box prediction;        // Empty for a spurious box.
  float iou = 0;
};

float BoxIou(const v1::Box& a, const v1::Box& b);

// Compares a label's boxes with a model's predictions on the same image (same pixels; class
// names in both) and returns what looks wrong, most suspicious first, at most
// config.max_per_image(). Predictions below config.support_score() are ignored.
//   - MISSING_BOX: a confident prediction (score >= min_score) overlapping no labeled box at
//     IoU >= match_iou; suspicion = its score.
//   - CLASS_MISMATCH: a confident prediction whose best-overlapping box (IoU >= match_iou) has
//     another class, and no box of its own class overlaps it that much; suspicion = its score.
//   - POOR_FIT: a confident prediction whose best box has its class but IoU < fit_iou;
//     suspicion = score x (1 - IoU / fit_iou), so a nearly fitting box ranks low.
//   - SPURIOUS_BOX: a labeled box that no prediction of its class (score >= support_score)
//     overlaps at IoU >= match_iou, and that no confident prediction claims as a mismatch;
//     suspicion = the image's best prediction score (a model that sees nothing in the image at
//     all is no witness) x (1 - the best same-class score overlapping it at all).
// Each prediction is matched to at most one box and vice versa, predictions by score first.
std::vector<SuspectFinding> FindSuspects(const std::vector<v1::Box>& label_boxes,
                                         const std::vector<v1::Box>& predictions,
                                         const v1::SuspectConfig& config);

// Whether `finding` is the same as an already reviewed one on the same label version: same
// kind and labeled box, and for a missing box a prediction of the same class at IoU >= 0.5
// (another model's prediction of the same object moves a little).
bool SameFinding(const SuspectFinding& finding, const v1::Suspect& reviewed);

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_SUSPECT_FINDER_H_
