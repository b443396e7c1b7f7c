#ifndef LABELLOOP_TRAINER_PROMOTION_POLICY_H_
#define LABELLOOP_TRAINER_PROMOTION_POLICY_H_

#include <optional>
#include <string>

namespace labelloop {

struct PromotionDecision {
  bool promote = false;
  // For people: why, with the numbers compared ("val mAP 0.412 >= serving 0.405 - 0.010").
  std::string reason;
};

// Whether a freshly trained candidate should replace the serving model: yes when nothing serves
// yet, or when its validation mAP is at least the serving model's minus `tolerance` (a small
// tolerance lets a model trained on more labels through despite evaluation noise). An mAP below
// zero means "not measured" (no validation labels): such a candidate is promoted only if the
// serving model was not measured either, since nothing then says it is worse and it has seen
// more labels. Manual promotion and rollback bypass this policy.
PromotionDecision DecidePromotion(double candidate_map, std::optional<double> serving_map,
                                  double tolerance);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_PROMOTION_POLICY_H_
