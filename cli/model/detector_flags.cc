#include "cli/model/detector_flags.h"

#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/usage_error.h"

namespace labelloop {

absl::StatusOr<OfflineDetectorSpec> DetectorSpecFromFlags(const Arguments& arguments) {
  OfflineDetectorSpec spec;
  absl::StatusOr<std::string> config = arguments.Require("config");
  if (!config.ok()) return config.status();
  spec.config_path = *config;
  spec.weights_path = arguments.Get("weights").value_or("");
  if (std::optional<std::string> classes = arguments.Get("classes"); classes.has_value()) {
    for (absl::string_view name : absl::StrSplit(*classes, ',')) {
      if (name.empty()) return UsageError("--classes has an empty name (write --classes=a,b,c)");
      spec.class_names.emplace_back(name);
    }
  }
  if (arguments.Has("threshold")) {
    absl::StatusOr<double> threshold = arguments.GetDouble("threshold", 0);
    if (!threshold.ok()) return threshold.status();
    if (*threshold < 0 || *threshold > 1) {
      return UsageError(absl::StrCat("--threshold wants a score in [0, 1], got ", *threshold));
    }
    spec.score_threshold = *threshold;
  }
  absl::StatusOr<int64_t> threads = arguments.GetInt("threads", 0);
  if (!threads.ok()) return threads.status();
  if (*threads < 0 || *threads > std::numeric_limits<int>::max()) {
    return UsageError(absl::StrCat("--threads wants 0 (all cores) or more, got ", *threads));
  }
  spec.threads = static_cast<int>(*threads);
  return spec;
}

}  // namespace labelloop
