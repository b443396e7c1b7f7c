#include "common/box_validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace labelloop {
namespace {

std::string Describe(int index, const v1::Box& box) {
  return absl::StrCat("box ", index, " [", box.x1(), ",", box.y1(), ",", box.x2(), ",", box.y2(),
                      ",\"", box.class_name(), "\"]");
}

std::string KnownClasses(const absl::flat_hash_map<std::string, int64_t>& class_ids) {
  std::vector<std::string> names;
  for (const auto& [name, id] : class_ids) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names.empty() ? "none (set them with UpdateClasses)" : absl::StrJoin(names, ", ");
}

}  // namespace

absl::StatusOr<std::vector<ValidBox>> ValidateBoxes(
    const google::protobuf::RepeatedPtrField<v1::Box>& boxes, const BoxRules& rules,
    const absl::flat_hash_map<std::string, int64_t>& class_ids) {
  if (boxes.size() > rules.max_boxes) {
    return absl::InvalidArgumentError(
        absl::StrCat(boxes.size(), " boxes, over the limit of ", rules.max_boxes, " per image"));
  }
  const float width = static_cast<float>(rules.image_width);
  const float height = static_cast<float>(rules.image_height);
  const float tol = rules.tolerance_pixels;
  std::vector<ValidBox> valid;
  valid.reserve(boxes.size());
  for (int i = 0; i < boxes.size(); ++i) {
    const v1::Box& box = boxes[i];
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(Describe(i, box), ": ", why));
    };
    if (!std::isfinite(box.x1()) || !std::isfinite(box.y1()) || !std::isfinite(box.x2()) ||
        !std::isfinite(box.y2())) {
      return bad("coordinates must be finite numbers");
    }
    if (box.x2() <= box.x1() || box.y2() <= box.y1()) {
      return bad("zero or negative area (need x2 > x1 and y2 > y1)");
    }
    if (box.x1() < -tol || box.y1() < -tol || box.x2() > width + tol || box.y2() > height + tol) {
      return bad(absl::StrCat("outside the ", rules.image_width, "x", rules.image_height,
                              " image by more than ", tol, " pixels"));
    }
    auto cls = class_ids.find(box.class_name());
    if (cls == class_ids.end()) {
      return bad(absl::StrCat("unknown class \"", box.class_name(),
                              "\"; known classes: ", KnownClasses(class_ids)));
    }
    ValidBox clipped{std::clamp(box.x1(), 0.0f, width), std::clamp(box.y1(), 0.0f, height),
                     std::clamp(box.x2(), 0.0f, width), std::clamp(box.y2(), 0.0f, height),
                     cls->second};
    if (clipped.x2 <= clipped.x1 || clipped.y2 <= clipped.y1) {
      return bad("no area left inside the image");
    }
    valid.push_back(clipped);
  }
  return valid;
}

}  // namespace labelloop
