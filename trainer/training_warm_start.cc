#include "trainer/training_warm_start.h"

#include <torch/torch.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "inference/state_dict.h"

namespace labelloop {
namespace {

constexpr const char kClsWeight[] = "head.classification_head.cls_logits.weight";
constexpr const char kClsBias[] = "head.classification_head.cls_logits.bias";
constexpr const char kBodyPrefix[] = "backbone.body.";

bool Has(const NamedTensors& tensors, const std::string& name) {
  for (const auto& entry : tensors) {
    if (entry.first == name) return true;
  }
  return false;
}

at::Tensor Find(const NamedTensors& tensors, const std::string& name) {
  for (const auto& entry : tensors) {
    if (entry.first == name) return entry.second;
  }
  return at::Tensor();
}

// A torchvision ResNet state_dict: stem and stages at the top level, no detector prefixes.
bool IsPlainResNet(const NamedTensors& tensors) {
  return Has(tensors, "conv1.weight") && Has(tensors, "layer1.0.conv1.weight") &&
         !Has(tensors, std::string(kBodyPrefix) + "conv1.weight");
}

// `tensors` completed with the module's own (fresh) values for every name they lack, so that the
// all-or-nothing LoadStateDict accepts a deliberate partial load.
NamedTensors CompleteFromModule(const torch::nn::Module& module, NamedTensors tensors) {
  std::unordered_map<std::string, size_t> present;
  for (size_t i = 0; i < tensors.size(); ++i) present.emplace(tensors[i].first, i);
  for (auto& [name, tensor] : ModuleStateDict(module)) {
    if (present.count(name) == 0) tensors.emplace_back(name, tensor.clone());
  }
  return tensors;
}

// The classifier rows (row 0 is the background) carried over by class name: a project class
// takes the file's row of the same name, else the mean of the rows of the file's classes that
// `current_name` maps to it (renamed or merged since); rows of new classes keep the module's
// fresh values. Returns what was carried over, in words ("b", "d (from a)").
std::vector<std::string> RemapClassRows(const at::Tensor& from, const at::Tensor& fresh,
                                        const std::vector<std::string>& from_names,
                                        const std::vector<std::string>& to_names,
                                        const ClassNameMap& current_name, at::Tensor* out) {
  *out = fresh.clone();
  std::vector<std::string> kept;
  torch::NoGradGuard no_grad;
  if (from.size(0) != static_cast<int64_t>(from_names.size()) + 1) return kept;
  (*out)[0].copy_(from[0]);
  for (size_t i = 0; i < to_names.size(); ++i) {
    const int64_t row = static_cast<int64_t>(i) + 1;
    auto same = std::find(from_names.begin(), from_names.end(), to_names[i]);
    if (same != from_names.end()) {
      (*out)[row].copy_(from[(same - from_names.begin()) + 1]);
      kept.push_back(to_names[i]);
      continue;
    }
    if (current_name == nullptr) continue;
    std::vector<int64_t> sources;
    std::vector<std::string> source_names;
    for (size_t j = 0; j < from_names.size(); ++j) {
      if (current_name(from_names[j]) == to_names[i]) {
        sources.push_back(static_cast<int64_t>(j) + 1);
        source_names.push_back(from_names[j]);
      }
    }
    if (sources.empty()) continue;
    (*out)[row].copy_(from.index_select(0, torch::tensor(sources)).mean(0));
    kept.push_back(absl::StrCat(to_names[i], " (from ", absl::StrJoin(source_names, " + "), ")"));
  }
  return kept;
}

}  // namespace

absl::StatusOr<std::string> LoadWarmStartWeights(torch::nn::Module& detector,
                                                 const std::string& path,
                                                 const std::vector<std::string>& class_names,
                                                 const ClassNameMap& current_name) {
  absl::StatusOr<Checkpoint> checkpoint = LoadCheckpoint(path);
  if (!checkpoint.ok()) return checkpoint.status();
  NamedTensors tensors = std::move(checkpoint->tensors);

  if (IsPlainResNet(tensors)) {
    NamedTensors body;
    for (auto& [name, tensor] : tensors) {
      if (absl::StartsWith(name, "fc.")) continue;  // ImageNet's classifier: no use here.
      body.emplace_back(absl::StrCat(kBodyPrefix, name), std::move(tensor));
    }
    const size_t loaded = body.size();
    if (absl::Status s = LoadStateDict(detector, CompleteFromModule(detector, std::move(body)));
        !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(path, ": as a ResNet backbone: ", s.message()));
    }
    return absl::StrCat("loaded a ResNet backbone (", loaded, " tensors) from ", path,
                        "; FPN and head start freshly initialised");
  }

  std::vector<std::string> file_classes;
  if (checkpoint->format == CheckpointFormat::kSafetensors) {
    absl::StatusOr<CheckpointInfo> info = CheckpointInfoFromMetadata(checkpoint->metadata);
    if (!info.ok()) {
      return absl::Status(info.status().code(), absl::StrCat(path, ": ", info.status().message()));
    }
    file_classes = info->class_names;
  }

  const NamedTensors own = ModuleStateDict(detector);
  const at::Tensor fresh_weight = Find(own, kClsWeight);
  const at::Tensor fresh_bias = Find(own, kClsBias);
  const at::Tensor file_weight = Find(tensors, kClsWeight);
  const at::Tensor file_bias = Find(tensors, kClsBias);
  std::string note;
  if (file_weight.defined() && file_bias.defined() && fresh_weight.defined()) {
    const bool same_shape =
        file_weight.sizes() == fresh_weight.sizes() && file_bias.sizes() == fresh_bias.sizes();
    const bool names_known = !file_classes.empty();
    const bool same_classes = names_known ? file_classes == class_names : same_shape;
    // Spatial shape and input width must agree for rows to be carried over at all.
    const bool rows_compatible =
        file_weight.dim() == 4 && file_weight.sizes().slice(1) == fresh_weight.sizes().slice(1);
    if (!same_classes) {
      at::Tensor weight = fresh_weight.clone();
      at::Tensor bias = fresh_bias.clone();
      std::vector<std::string> kept;
      if (names_known && rows_compatible) {
        kept = RemapClassRows(file_weight, fresh_weight, file_classes, class_names, current_name,
                              &weight);
        RemapClassRows(file_bias, fresh_bias, file_classes, class_names, current_name, &bias);
      }
      for (auto& [name, tensor] : tensors) {
        if (name == kClsWeight) tensor = weight;
        if (name == kClsBias) tensor = bias;
      }
      const int64_t file_count = file_weight.size(0) - 1;
      note = kept.empty()
                 ? absl::StrCat("; its classifier (", file_count,
                                " classes) does not match the project's ", class_names.size(),
                                ", so cls_logits starts freshly initialised")
                 : absl::StrCat("; classes changed (", file_count, " -> ", class_names.size(),
                                "): cls_logits rows kept for ", absl::StrJoin(kept, ", "),
                                ", new ones freshly initialised");
    }
  }
  if (absl::Status s = LoadStateDict(detector, tensors); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  }
  return absl::StrCat("warm start from ", path, note);
}

}  // namespace labelloop
