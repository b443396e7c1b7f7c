#include "common/config_loader.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/durable_file.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace labelloop {
namespace {

// Keeps the first parse error with its position, instead of protobuf's default of logging it.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty())
      error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// Range checks, each naming the field by its path in the config file.
class RangeChecker {
 public:
  template <typename T>
  void AtLeast(absl::string_view field, T value, T minimum) {
    if (status_.ok() && value < minimum) {
      status_ =
          absl::InvalidArgumentError(absl::StrCat(field, " must be >= ", minimum, ", got ", value));
    }
  }
  template <typename T>
  void Between(absl::string_view field, T value, T low, T high) {
    if (status_.ok() && (value < low || value > high)) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat(field, " must be in [", low, ", ", high, "], got ", value));
    }
  }
  void Check(bool ok, absl::string_view message) {
    if (status_.ok() && !ok) status_ = absl::InvalidArgumentError(message);
  }
  absl::Status status() const { return status_; }

 private:
  absl::Status status_;
};

}  // namespace

absl::Status ValidateConfig(const v1::DaemonConfig& config) {
  RangeChecker check;
  const v1::ServerConfig& server = config.server();
  check.Check(!server.listen().empty(), "server.listen must not be empty");
  check.Between("server.threads", server.threads(), 1, 1024);
  check.Between("server.shutdown_grace_seconds", server.shutdown_grace_seconds(), 0, 3600);
  const v1::StoreConfig& store = config.store();
  check.AtLeast("store.busy_timeout_ms", store.busy_timeout_ms(), 0);
  check.Between("store.validation_share", store.validation_share(), 0.0, 0.9);
  const v1::LimitsConfig& limits = config.limits();
  check.AtLeast<int64_t>("limits.max_image_bytes", limits.max_image_bytes(), 1);
  check.AtLeast<int64_t>("limits.max_image_pixels", limits.max_image_pixels(), 1);
  check.AtLeast("limits.max_boxes_per_image", limits.max_boxes_per_image(), 1);
  check.Between("limits.max_batch_count", limits.max_batch_count(), 1, 100000);
  check.AtLeast("limits.box_tolerance_pixels", limits.box_tolerance_pixels(), 0.0f);
  check.AtLeast("limits.max_message_bytes", limits.max_message_bytes(), 1 << 20);
  // 0 turns each of these limits off; a negative value is a typo, not "no limit".
  check.Between("limits.max_concurrent_streams", limits.max_concurrent_streams(), 0, 100000);
  // NaN compares false with everything, so it is named explicitly.
  check.Check(std::isfinite(limits.requests_per_second()),
              absl::StrCat("limits.requests_per_second must be a finite number, got ",
                           limits.requests_per_second()));
  check.Between("limits.requests_per_second", limits.requests_per_second(), 0.0, 1e6);
  check.Between("limits.request_burst", limits.request_burst(), 0, 10000000);
  // A bucket that holds less than one token never admits a call: every call would fail.
  check.Check(limits.requests_per_second() == 0 || limits.request_burst() >= 1,
              absl::StrCat("limits.request_burst must be >= 1 while limits.requests_per_second "
                           "is set (",
                           limits.requests_per_second(), "), got ", limits.request_burst()));
  const v1::QueueConfig& queue = config.queue();
  check.AtLeast("queue.default_lease_seconds", queue.default_lease_seconds(), 1);
  check.AtLeast("queue.max_lease_seconds", queue.max_lease_seconds(), 1);
  check.Check(
      queue.default_lease_seconds() <= queue.max_lease_seconds(),
      absl::StrCat("queue.default_lease_seconds (", queue.default_lease_seconds(),
                   ") must not exceed queue.max_lease_seconds (", queue.max_lease_seconds(), ")"));
  const v1::TrainingConfig& training = config.training();
  check.AtLeast("training.trigger_new_labels", training.trigger_new_labels(), 0);
  check.AtLeast("training.max_interval_seconds", training.max_interval_seconds(), 0);
  check.Between("training.epochs", training.epochs(), 1, 1000);
  check.Between("training.batch_size", training.batch_size(), 1, 256);
  check.Check(training.optimizer() == "sgd" || training.optimizer() == "adamw",
              absl::StrCat("training.optimizer must be \"sgd\" or \"adamw\", got \"",
                           training.optimizer(), "\""));
  check.Between("training.learning_rate", training.learning_rate(), 1e-8, 10.0);
  check.Between("training.momentum", training.momentum(), 0.0, 0.999);
  check.Between("training.weight_decay", training.weight_decay(), 0.0, 1.0);
  check.AtLeast("training.warmup_steps", training.warmup_steps(), 0);
  check.AtLeast("training.gradient_clip_norm", training.gradient_clip_norm(), 0.0);
  check.Between("training.promotion_tolerance", training.promotion_tolerance(), 0.0, 1.0);
  check.Between("training.threads", training.threads(), 1, 256);
  check.Between("training.loader_threads", training.loader_threads(), 1, 64);
  check.AtLeast("training.min_train_labels", training.min_train_labels(), 1);
  const v1::AugmentationConfig& augmentation = training.augmentation();
  check.Between("training.augmentation.horizontal_flip", augmentation.horizontal_flip(), 0.0f,
                1.0f);
  check.Between("training.augmentation.scale_min", augmentation.scale_min(), 0.1f, 10.0f);
  check.Between("training.augmentation.scale_max", augmentation.scale_max(),
                augmentation.scale_min(), 10.0f);
  check.Between("training.augmentation.color_jitter", augmentation.color_jitter(), 0.0f, 1.0f);
  check.Between("training.augmentation.random_crop", augmentation.random_crop(), 0.0f, 1.0f);
  const v1::SamplerConfig& sampler = config.sampler();
  const std::string& strategy = sampler.strategy();
  check.Check(strategy == "random" || strategy == "least_confidence" || strategy == "entropy" ||
                  strategy == "margin" || strategy == "tta" || strategy == "hybrid",
              absl::StrCat("sampler.strategy must be one of random, least_confidence, entropy, "
                           "margin, tta, hybrid; got \"",
                           strategy, "\""));
  const std::string& aggregation = sampler.aggregation();
  check.Check(aggregation == "max" || aggregation == "mean" || aggregation == "sum" ||
                  aggregation == "topk",
              absl::StrCat("sampler.aggregation must be one of max, mean, sum, topk; got \"",
                           aggregation, "\""));
  check.AtLeast("sampler.topk", sampler.topk(), 1);
  check.Between("sampler.empty_image_uncertainty", sampler.empty_image_uncertainty(), 0.0f, 1.0f);
  check.Between("sampler.min_detection_score", sampler.min_detection_score(), 0.0f, 1.0f);
  check.Between("sampler.candidate_factor", sampler.candidate_factor(), 1, 1000);
  check.Between("sampler.random_share", sampler.random_share(), 0.0f, 1.0f);
  check.AtLeast("sampler.rare_class_boost", sampler.rare_class_boost(), 0.0f);
  check.Between("sampler.box_cost", sampler.box_cost(), 0.0f, 4.0f);
  const std::string& hybrid_uncertainty = sampler.hybrid_uncertainty();
  check.Check(hybrid_uncertainty == "entropy" || hybrid_uncertainty == "least_confidence" ||
                  hybrid_uncertainty == "margin" || hybrid_uncertainty == "tta",
              absl::StrCat("sampler.hybrid_uncertainty must be one of entropy, least_confidence, "
                           "margin, tta; got \"",
                           hybrid_uncertainty, "\""));
  check.Check(!sampler.has_hybrid_uncertainty() || strategy == "hybrid",
              absl::StrCat("sampler.hybrid_uncertainty is for the hybrid strategy; \"", strategy,
                           "\" ranks by its own measure"));
  check.Between("sampler.rescore_batch", sampler.rescore_batch(), 1, 1024);
  check.Between("sampler.tie_epsilon", sampler.tie_epsilon(), 0.0f, 1.0f);
  const v1::AutoLabelConfig& autolabel = config.autolabel();
  check.Check(autolabel.target_precision() > 0 && autolabel.target_precision() <= 1,
              absl::StrCat("autolabel.target_precision must be in (0, 1], got ",
                           autolabel.target_precision()));
  check.AtLeast("autolabel.min_support", autolabel.min_support(), 1);
  check.Check(
      autolabel.iou_threshold() > 0 && autolabel.iou_threshold() <= 1,
      absl::StrCat("autolabel.iou_threshold must be in (0, 1], got ", autolabel.iou_threshold()));
  check.Between("autolabel.review_share", autolabel.review_share(), 0.0f, 1.0f);
  const v1::SuspectConfig& suspects = config.suspects();
  check.Check(suspects.min_score() > 0 && suspects.min_score() <= 1,
              absl::StrCat("suspects.min_score must be in (0, 1], got ", suspects.min_score()));
  check.Check(suspects.support_score() > 0 && suspects.support_score() <= suspects.min_score(),
              absl::StrCat("suspects.support_score must be in (0, suspects.min_score], got ",
                           suspects.support_score()));
  check.Check(suspects.fit_iou() > 0 && suspects.fit_iou() <= 1,
              absl::StrCat("suspects.fit_iou must be in (0, 1], got ", suspects.fit_iou()));
  check.Check(suspects.match_iou() > 0 && suspects.match_iou() < suspects.fit_iou(),
              absl::StrCat("suspects.match_iou must be in (0, suspects.fit_iou), got ",
                           suspects.match_iou()));
  check.AtLeast("suspects.max_per_image", suspects.max_per_image(), 1);
  const v1::OverlapConfig& overlap = config.overlap();
  check.Between("overlap.share", overlap.share(), 0.0, 1.0);
  check.Between("overlap.annotators", overlap.annotators(), 2, 16);
  check.Check(overlap.match_iou() > 0 && overlap.match_iou() <= 1,
              absl::StrCat("overlap.match_iou must be in (0, 1], got ", overlap.match_iou()));
  check.Between("overlap.review_below", overlap.review_below(), 0.0f, 1.0f);
  const v1::ReviewConfig& review = config.review();
  check.Between("review.sample_share", review.sample_share(), 0.0, 1.0);
  for (const auto& [annotator, share] : review.annotator_share()) {
    check.Between(absl::StrCat("review.annotator_share[\"", annotator, "\"]"), share, 0.0, 1.0);
  }
  check.AtLeast("review.max_lease_seconds", review.max_lease_seconds(), 1);
  check.Between("review.lease_seconds", review.lease_seconds(), 1, review.max_lease_seconds());
  return check.status();
}

absl::StatusOr<v1::DaemonConfig> ParseConfig(const std::string& text, const std::string& source) {
  v1::DaemonConfig config;
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(absl::StrCat("config ", source, ": ", errors.error()));
  }
  absl::Status status = ValidateConfig(config);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config ", source, ": ", status.message()));
  }
  return config;
}

absl::StatusOr<v1::DaemonConfig> LoadConfig(const std::string& path) {
  if (path.empty()) return ParseConfig("", "(defaults)");
  absl::StatusOr<std::string> text = ReadFileLimited(path, 1 << 20);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("cannot read config ", path, ": ", text.status().message()));
  }
  return ParseConfig(*text, path);
}

}  // namespace labelloop
