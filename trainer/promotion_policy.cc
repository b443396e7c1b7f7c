#include "trainer/promotion_policy.h"

#include "absl/strings/str_format.h"

namespace labelloop {

PromotionDecision DecidePromotion(double candidate_map, std::optional<double> serving_map,
                                  double tolerance) {
  if (!serving_map.has_value()) {
    return {true, "no model is serving yet"};
  }
  const bool candidate_measured = candidate_map >= 0;
  const bool serving_measured = *serving_map >= 0;
  if (!candidate_measured && !serving_measured) {
    return {true,
            "neither the candidate nor the serving model has a validation mAP (no validation "
            "labels); the candidate was trained on the newer labels"};
  }
  if (!candidate_measured) {
    return {false, absl::StrFormat("the candidate has no validation mAP (no validation labels) "
                                   "while the serving model has %.4f",
                                   *serving_map)};
  }
  if (!serving_measured) {
    return {true, absl::StrFormat("val mAP %.4f; the serving model has none to compare with",
                                  candidate_map)};
  }
  const double bar = *serving_map - tolerance;
  if (candidate_map >= bar) {
    return {true, absl::StrFormat("val mAP %.4f >= serving %.4f - tolerance %.4f", candidate_map,
                                  *serving_map, tolerance)};
  }
  return {false, absl::StrFormat("val mAP %.4f < serving %.4f - tolerance %.4f", candidate_map,
                                 *serving_map, tolerance)};
}

}  // namespace labelloop
