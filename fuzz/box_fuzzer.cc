// Fuzzes the validation of submitted boxes (SubmitLabels): the input is a serialized
// SubmitLabelsRequest plus an image size taken from the first bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/box_validation.h"
#include "labelloop/v1/queue.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  labelloop::BoxRules rules;
  int16_t width = 0, height = 0;
  std::memcpy(&width, data, 2);
  std::memcpy(&height, data + 2, 2);
  rules.image_width = width;
  rules.image_height = height;
  labelloop::v1::SubmitLabelsRequest request;
  if (!request.ParseFromArray(data + 4, static_cast<int>(size - 4))) return 0;
  const absl::flat_hash_map<std::string, int64_t> classes = {{"WBC", 1}, {"RBC", 2}, {"", 3}};
  labelloop::ValidateBoxes(request.boxes(), rules, classes).IgnoreError();
  return 0;
}
