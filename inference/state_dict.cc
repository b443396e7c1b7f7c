#include "inference/state_dict.h"

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace labelloop {
namespace {

void AppendModuleState(const torch::nn::Module& module, const std::string& prefix,
                       NamedTensors& out) {
  for (const auto& item : module.named_parameters(/*recurse=*/false)) {
    out.emplace_back(prefix + item.key(), item.value().detach());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/false)) {
    out.emplace_back(prefix + item.key(), item.value().detach());
  }
  for (const auto& child : module.named_children()) {
    AppendModuleState(*child.value(), prefix + child.key() + ".", out);
  }
}

bool IsAllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "a.b.fpn.inner_blocks.3.weight" -> "a.b.fpn.inner_blocks.3.0.weight"; other keys unchanged.
std::string NormalizeFpnKey(const std::string& key) {
  for (const char* block : {"inner_blocks.", "layer_blocks."}) {
    const std::string marker = std::string("fpn.") + block;
    const size_t at = key.find(marker);
    if (at == std::string::npos) continue;
    const size_t index_begin = at + marker.size();
    const size_t index_end = key.find('.', index_begin);
    if (index_end == std::string::npos) continue;
    if (!IsAllDigits(key.substr(index_begin, index_end - index_begin))) continue;
    const std::string leaf = key.substr(index_end + 1);
    // Only the old spelling has the leaf right after the index; the new one has ".0." between.
    if (leaf == "weight" || leaf == "bias") {
      return key.substr(0, index_end) + ".0." + leaf;
    }
  }
  return key;
}

std::string ShapeString(at::IntArrayRef sizes) {
  return absl::StrCat("[", absl::StrJoin(sizes, ", "), "]");
}

enum class DtypeKind { kFloating, kIntegral, kBool, kOther };

DtypeKind KindOf(at::ScalarType type) {
  if (type == at::kBool) return DtypeKind::kBool;
  if (at::isFloatingType(type)) return DtypeKind::kFloating;
  if (at::isIntegralType(type, /*includeBool=*/false)) return DtypeKind::kIntegral;
  return DtypeKind::kOther;
}

// A class-count mismatch is the most common refusal (a checkpoint trained on another label
// set), so say so in words rather than leave the reader to decode the shapes. torchvision's
// FCOS has one anchor per location, so cls_logits' first dimension is the class count.
std::string ShapeHint(const std::string& name, at::IntArrayRef got, at::IntArrayRef want) {
  const bool is_class_layer =
      absl::EndsWith(name, "cls_logits.weight") || absl::EndsWith(name, "cls_logits.bias");
  if (!is_class_layer || got.size() != want.size() || got.empty()) return "";
  for (size_t i = 1; i < got.size(); ++i) {
    if (got[i] != want[i]) return "";
  }
  return absl::StrCat(" (class count differs: checkpoint ", got[0], ", model ", want[0], ")");
}

}  // namespace

NamedTensors ModuleStateDict(const torch::nn::Module& module) {
  NamedTensors out;
  AppendModuleState(module, "", out);
  return out;
}

NamedTensors NormalizeStateDictKeys(NamedTensors tensors) {
  NamedTensors out;
  out.reserve(tensors.size());
  for (auto& [name, tensor] : tensors) {
    if (absl::EndsWith(name, ".num_batches_tracked") || name == "num_batches_tracked") continue;
    out.emplace_back(NormalizeFpnKey(name), std::move(tensor));
  }
  return out;
}

absl::Status LoadStateDict(torch::nn::Module& module, const NamedTensors& tensors) {
  const NamedTensors targets = ModuleStateDict(module);
  std::unordered_map<std::string, size_t> target_index;
  for (size_t i = 0; i < targets.size(); ++i) target_index.emplace(targets[i].first, i);

  // Pass 1: validate everything and prepare converted copies, so that nothing in the module
  // changes unless every tensor is good (and allocation failures happen before any copy).
  std::vector<at::Tensor> prepared(targets.size());
  std::unordered_set<std::string> seen;
  for (const auto& [name, tensor] : tensors) {
    auto it = target_index.find(name);
    if (it == target_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint tensor \"", name, "\" does not exist in the model (unexpected key)"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint tensor \"", name, "\" appears more than once"));
    }
    const at::Tensor& target = targets[it->second].second;
    if (!tensor.defined()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint tensor \"", name, "\" has no data"));
    }
    if (tensor.sizes() != target.sizes()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint tensor \"", name, "\" has shape ", ShapeString(tensor.sizes()),
                       ", model expects ", ShapeString(target.sizes()),
                       ShapeHint(name, tensor.sizes(), target.sizes())));
    }
    const DtypeKind have = KindOf(tensor.scalar_type());
    const DtypeKind want = KindOf(target.scalar_type());
    if (have != want || have == DtypeKind::kOther) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint tensor \"", name, "\" has dtype ", c10::toString(tensor.scalar_type()),
          ", which does not convert to the model's ", c10::toString(target.scalar_type())));
    }
    try {
      prepared[it->second] =
          tensor.to(target.device(), target.scalar_type(), /*non_blocking=*/false,
                    /*copy=*/false);
    } catch (const c10::Error& e) {
      return absl::InternalError(absl::StrCat("cannot convert checkpoint tensor \"", name,
                                              "\": ", e.what_without_backtrace()));
    }
  }
  for (const auto& [name, target] : targets) {
    if (!seen.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint has no tensor \"", name, "\", which the model needs"));
    }
  }

  // Pass 2: same shape, dtype and device everywhere, so these copies cannot fail.
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < targets.size(); ++i) {
    at::Tensor target = targets[i].second;
    target.copy_(prepared[i]);
  }
  return absl::OkStatus();
}

}  // namespace labelloop
