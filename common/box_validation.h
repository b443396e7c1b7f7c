#ifndef LABELLOOP_COMMON_BOX_VALIDATION_H_
#define LABELLOOP_COMMON_BOX_VALIDATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "labelloop/v1/types.pb.h"

namespace labelloop {

// A box that passed validation: clipped to the image, with its class resolved to an id.
struct ValidBox {
  float x1, y1, x2, y2;
  int64_t class_id;
};

struct BoxRules {
  int image_width = 0;
  int image_height = 0;
  // How far a box may reach outside the image before it is refused; within it, it is clipped.
  float tolerance_pixels = 2.0f;
  int max_boxes = 2000;
};

// Validates every box of one submission, all or nothing. The first bad box makes the whole
// submission INVALID_ARGUMENT, with a message naming the box by index and coordinates:
// non-finite numbers, zero or negative area (also after clipping), outside the image beyond the
// tolerance, or a class not in `class_ids` (name -> id).
absl::StatusOr<std::vector<ValidBox>> ValidateBoxes(
    const google::protobuf::RepeatedPtrField<v1::Box>& boxes, const BoxRules& rules,
    const absl::flat_hash_map<std::string, int64_t>& class_ids);

}  // namespace labelloop

#endif  // LABELLOOP_COMMON_BOX_VALIDATION_H_
