#ifndef LABELLOOP_TESTS_INFERENCE_REFERENCE_TENSORS_H_
#define LABELLOOP_TESTS_INFERENCE_REFERENCE_TENSORS_H_

#include <torch/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace labelloop::testing {

// What fcos_reference.py wrote: named tensors (raw little-endian .bin files listed in
// index.json) and the rest of index.json (config, expected losses, torchvision key lists).
struct ReferenceData {
  std::map<std::string, torch::Tensor> tensors;
  nlohmann::json meta;
  const torch::Tensor& at(const std::string& name) const;
};

// Throws std::runtime_error if the directory or a file is missing or malformed.
ReferenceData LoadReferenceData(const std::string& dir);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_INFERENCE_REFERENCE_TENSORS_H_
