#include "trainer/training_job.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/class_changes.h"
#include "common/store.h"
#include "google/protobuf/text_format.h"
#include "inference/detector_config.h"
#include "inference/fcos.h"
#include "inference/state_dict.h"
#include "spdlog/spdlog.h"
#include "trainer/augment.h"
#include "trainer/augment_ops.h"
#include "trainer/batch_loader.h"
#include "trainer/lr_schedule.h"
#include "trainer/model_version_writer.h"
#include "trainer/training_batch.h"
#include "trainer/training_dataset.h"
#include "trainer/training_evaluation.h"
#include "trainer/training_progress.h"
#include "trainer/training_warm_start.h"
#include "trainer/validation_analysis.h"

namespace labelloop {
namespace {

using Clock = std::chrono::steady_clock;

// Detections down to this score are evaluated, as torchvision's and Detectron's evaluation
// does: mAP integrates over the whole precision/recall curve, which a serving threshold would
// cut short.
constexpr double kEvalScoreThreshold = 0.05;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

absl::Status Cancelled() { return absl::CancelledError("training job cancelled"); }

AugmentOptions AugmentOptionsFrom(const v1::AugmentationConfig& config) {
  AugmentOptions options;
  options.horizontal_flip = config.horizontal_flip();
  options.scale_min = config.scale_min();
  options.scale_max = config.scale_max();
  options.color_jitter = config.color_jitter();
  options.random_crop = config.random_crop();
  return options;
}

absl::Status ValidateSpec(const TrainingJobSpec& spec) {
  const v1::TrainingConfig& t = spec.training;
  if (t.epochs() < 1) return absl::InvalidArgumentError("TrainingConfig.epochs: must be >= 1");
  if (t.batch_size() < 1) {
    return absl::InvalidArgumentError("TrainingConfig.batch_size: must be >= 1");
  }
  if (t.optimizer() != "sgd" && t.optimizer() != "adamw") {
    return absl::InvalidArgumentError(absl::StrCat(
        "TrainingConfig.optimizer: must be \"sgd\" or \"adamw\", got \"", t.optimizer(), "\""));
  }
  if (!(t.learning_rate() > 0) || !std::isfinite(t.learning_rate())) {
    return absl::InvalidArgumentError("TrainingConfig.learning_rate: must be a positive number");
  }
  if (spec.models_dir.empty()) {
    return absl::InvalidArgumentError("TrainingJobSpec.models_dir: must be set");
  }
  return absl::OkStatus();
}

// The factor by which the detector's transform would shrink an image; the loader shrinks it
// first, so augmentation and the float conversion work on the pixels that count, not on a
// camera's full resolution.
double InputScale(const cv::Mat& image, const FcosOptions& options) {
  const double shorter = std::min(image.cols, image.rows);
  const double longer = std::max(image.cols, image.rows);
  if (shorter <= 0) return 1.0;
  return std::min({1.0, static_cast<double>(options.min_size) / shorter,
                   static_cast<double>(options.max_size) / longer});
}

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const v1::TrainingConfig& config,
                                                       std::vector<torch::Tensor> parameters) {
  if (config.optimizer() == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        std::move(parameters),
        torch::optim::AdamWOptions(config.learning_rate()).weight_decay(config.weight_decay()));
  }
  return std::make_unique<torch::optim::SGD>(std::move(parameters),
                                             torch::optim::SGDOptions(config.learning_rate())
                                                 .momentum(config.momentum())
                                                 .weight_decay(config.weight_decay()));
}

void SetLearningRate(torch::optim::Optimizer* optimizer, double rate) {
  for (torch::optim::OptimizerParamGroup& group : optimizer->param_groups()) {
    group.options().set_lr(rate);
  }
}

NamedTensors CopyWeights(const torch::nn::Module& module) {
  NamedTensors copy = ModuleStateDict(module);
  for (auto& entry : copy) entry.second = entry.second.clone();
  return copy;
}

// Everything one job holds while it runs.
class TrainingRun {
 public:
  TrainingRun(const TrainingJobSpec& spec, Store* store, const TrainingProgressCallback& progress,
              const std::atomic<bool>& cancel)
      : spec_(spec), store_(store), callback_(progress), cancel_(cancel) {}

  absl::StatusOr<TrainingJobResult> Run();

 private:
  void Report(const TrainingProgress& progress) {
    if (callback_) callback_(progress.Snapshot());
  }
  void Say(TrainingProgress* progress, std::string message) {
    spdlog::info("training job {}: {}", spec_.job_id, message);
    progress->SetMessage(std::move(message));
    Report(*progress);
  }
  absl::Status StartWeights(TrainingProgress* progress);
  std::vector<std::vector<PlannedExample>> Plan();
  absl::StatusOr<TrainingExample> MakeTrainingExample(const PlannedExample& planned) const;
  // Validation metrics of the current weights; all -1 without validation labels.
  absl::StatusOr<ModelVersionMetrics> Evaluate(int epoch, TrainingProgress* progress);
  absl::Status NonFinite(absl::string_view what, int epoch, int64_t step,
                         const StepLosses& losses) const;

  const TrainingJobSpec& spec_;
  Store* const store_;
  const TrainingProgressCallback& callback_;
  const std::atomic<bool>& cancel_;

  TrainingDataset dataset_;
  FcosOptions options_;
  AugmentOptions augment_;
  Fcos model_{nullptr};
  std::string warm_start_;
  std::string parent_version_;
  int64_t skipped_ = 0;
};

absl::Status TrainingRun::StartWeights(TrainingProgress* progress) {
  const v1::TrainingConfig& t = spec_.training;
  const bool reset = spec_.reset_weights || t.reset_weights_each_round();
  if (!spec_.base_checkpoint.empty() && !reset) {
    // Classes renamed or merged since the serving model was trained keep its learned rows.
    absl::StatusOr<std::vector<v1::ClassChange>> changes = ListClassChanges(store_);
    if (!changes.ok()) return changes.status();
    absl::StatusOr<std::string> loaded = LoadWarmStartWeights(
        *model_, spec_.base_checkpoint, dataset_.class_names,
        [&](const std::string& name) { return TraceClassName(*changes, name); });
    if (loaded.ok()) {
      warm_start_ = absl::StrCat(*loaded, " (serving version ", spec_.base_version, ")");
      parent_version_ = spec_.base_version;
      Say(progress, warm_start_);
      return absl::OkStatus();
    }
    // The detector config may have changed since that version (another backbone, say): the
    // job still produces a model, from the initial weights, instead of failing every round.
    Say(progress, absl::StrCat("cannot warm-start from serving version ", spec_.base_version, " (",
                               loaded.status().message(), "); starting from ",
                               t.initial_weights().empty() ? "scratch" : t.initial_weights()));
  }
  if (!t.initial_weights().empty()) {
    absl::StatusOr<std::string> loaded =
        LoadWarmStartWeights(*model_, t.initial_weights(), dataset_.class_names);
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("TrainingConfig.initial_weights: ", loaded.status().message()));
    }
    warm_start_ = *loaded;
  } else {
    warm_start_ = "freshly initialised weights (no serving model or initial_weights)";
  }
  Say(progress, warm_start_);
  return absl::OkStatus();
}

std::vector<std::vector<PlannedExample>> TrainingRun::Plan() {
  const size_t batch_size = static_cast<size_t>(spec_.training.batch_size());
  std::mt19937_64 rng(spec_.training.seed());
  std::vector<size_t> order(dataset_.train.size());
  std::vector<std::vector<PlannedExample>> plan;
  for (int epoch = 0; epoch < spec_.training.epochs(); ++epoch) {
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t begin = 0; begin < order.size(); begin += batch_size) {
      std::vector<PlannedExample>& batch = plan.emplace_back();
      for (size_t i = begin; i < std::min(order.size(), begin + batch_size); ++i) {
        batch.push_back({order[i], rng()});
      }
    }
  }
  return plan;
}

absl::StatusOr<TrainingExample> TrainingRun::MakeTrainingExample(
    const PlannedExample& planned) const {
  absl::StatusOr<TrainingExample> example =
      DecodeDatasetItem(*store_, dataset_.train[planned.index], spec_.max_image_bytes);
  if (!example.ok()) return example.status();
  ResizeExample(&*example, InputScale(example->image, options_));
  std::mt19937_64 rng(planned.seed);
  Augment(augment_, &rng, &*example);
  return example;
}

absl::StatusOr<ModelVersionMetrics> TrainingRun::Evaluate(int epoch, TrainingProgress* progress) {
  if (dataset_.val.empty()) return ModelVersionMetrics();
  const size_t batch_size = static_cast<size_t>(spec_.training.batch_size());
  std::vector<std::vector<PlannedExample>> plan;
  for (size_t begin = 0; begin < dataset_.val.size(); begin += batch_size) {
    std::vector<PlannedExample>& batch = plan.emplace_back();
    for (size_t i = begin; i < std::min(dataset_.val.size(), begin + batch_size); ++i) {
      batch.push_back({i, 0});
    }
  }
  // Validation images as serving sees them: decoded, not augmented, not pre-shrunk.
  BatchLoader loader(
      std::move(plan),
      [this](const PlannedExample& planned) {
        return DecodeDatasetItem(*store_, dataset_.val[planned.index], spec_.max_image_bytes);
      },
      spec_.training.loader_threads(), 2);
  std::vector<int64_t> image_ids;
  std::vector<std::vector<TrainingBox>> truth;
  std::vector<std::vector<ScoredBox>> detections;
  model_->eval();
  size_t done = 0;
  while (std::optional<LoadedBatch> batch = loader.Next()) {
    if (cancel_.load()) return Cancelled();
    for (const std::string& error : batch->errors) {
      spdlog::warn("training job {}: validation image skipped: {}", spec_.job_id, error);
      ++skipped_;
    }
    if (!batch->examples.empty()) {
      const TensorBatch tensors = ToTensorBatch(batch->examples);
      const std::vector<Detections> found = model_->Detect(tensors.images);
      for (size_t i = 0; i < found.size(); ++i) {
        image_ids.push_back(batch->examples[i].image_id);
        truth.push_back(batch->examples[i].boxes);
        detections.push_back(ToScoredBoxes(found[i]));
      }
    }
    done += batch->examples.size() + batch->errors.size();
    progress->SetMessage(absl::StrCat(
        epoch == 0 ? "evaluating the starting weights" : absl::StrCat("evaluating epoch ", epoch),
        ": ", done, "/", dataset_.val.size(), " images"));
    Report(*progress);
  }
  model_->train();
  if (cancel_.load()) return Cancelled();
  if (truth.empty()) return ModelVersionMetrics();
  ModelVersionMetrics metrics = EvaluateValidation(truth, detections, dataset_.class_names);
  // At the label-assist threshold: the errors an annotator would see in the pre-labels.
  AddValidationAnalysis(image_ids, truth, detections, static_cast<int>(dataset_.class_names.size()),
                        spec_.detector.label_assist_threshold(), spec_.autolabel, &metrics);
  return metrics;
}

absl::Status TrainingRun::NonFinite(absl::string_view what, int epoch, int64_t step,
                                    const StepLosses& losses) const {
  return absl::InternalError(absl::StrFormat(
      "training diverged: %s at epoch %d, step %d (classification %g, bbox_regression %g, "
      "bbox_ctrness %g); lower TrainingConfig.learning_rate (now %g), raise warmup_steps, or "
      "keep gradient_clip_norm on",
      what, epoch, step, losses.classification, losses.bbox_regression, losses.bbox_ctrness,
      spec_.training.learning_rate()));
}

absl::StatusOr<TrainingJobResult> TrainingRun::Run() {
  if (absl::Status s = ValidateSpec(spec_); !s.ok()) return s;
  const v1::TrainingConfig& t = spec_.training;
  if (t.threads() > 0) torch::set_num_threads(t.threads());

  absl::StatusOr<TrainingDataset> dataset = LoadTrainingDataset(store_);
  if (!dataset.ok()) return dataset.status();
  dataset_ = *std::move(dataset);
  if (dataset_.class_names.empty()) {
    return absl::FailedPreconditionError("the project has no classes to train on");
  }
  const int64_t needed = std::max(1, t.min_train_labels());
  if (static_cast<int64_t>(dataset_.train.size()) < needed) {
    return absl::FailedPreconditionError(
        absl::StrCat("a round needs at least ", needed, " accepted training labels; there are ",
                     dataset_.train.size(), " (", dataset_.val.size(), " more in validation)"));
  }

  absl::StatusOr<FcosOptions> options =
      FcosOptionsFromConfig(spec_.detector, static_cast<int64_t>(dataset_.class_names.size()));
  if (!options.ok()) return options.status();
  options_ = *options;
  options_.num_classes = static_cast<int64_t>(dataset_.class_names.size()) + 1;
  options_.score_thresh = std::min(options_.score_thresh, kEvalScoreThreshold);
  augment_ = AugmentOptionsFrom(t.augmentation());

  const int64_t batch_size = t.batch_size();
  const int64_t steps_per_epoch =
      (static_cast<int64_t>(dataset_.train.size()) + batch_size - 1) / batch_size;
  const int64_t total_steps = steps_per_epoch * t.epochs();
  TrainingProgress progress(spec_.job_id, t.epochs(), total_steps);
  Say(&progress,
      absl::StrCat("training on ", dataset_.train.size(), " labeled images, ", dataset_.val.size(),
                   " for validation, ", dataset_.class_names.size(), " classes"));
  if (dataset_.dropped_boxes > 0) {
    spdlog::warn("training job {}: {} boxes of unlisted classes left out", spec_.job_id,
                 dataset_.dropped_boxes);
  }

  torch::manual_seed(t.seed());
  model_ = Fcos(options_);
  if (absl::Status s = StartWeights(&progress); !s.ok()) return s;
  model_->train();

  TrainingJobResult result;
  result.warm_start = warm_start_;
  if (spec_.evaluate_initial_weights) {
    absl::StatusOr<ModelVersionMetrics> initial = Evaluate(0, &progress);
    if (!initial.ok()) return initial.status();
    result.initial_val_map = initial->map;
  }
  if (dataset_.val.empty()) {
    Say(&progress, "no validation labels: the last epoch is kept and metrics are -1");
  }

  std::vector<torch::Tensor> parameters;
  for (const torch::Tensor& p : model_->parameters()) {
    if (p.requires_grad()) parameters.push_back(p);
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer = MakeOptimizer(t, parameters);
  const LearningRateSchedule schedule(t.learning_rate(), t.warmup_steps(), total_steps);

  BatchLoader loader(
      Plan(), [this](const PlannedExample& planned) { return MakeTrainingExample(planned); },
      t.loader_threads(), std::max(2, 2 * t.loader_threads()));

  std::optional<NamedTensors> best_weights;
  ModelVersionMetrics best_metrics;
  int best_epoch = 0;
  int64_t step = 0;
  for (int epoch = 1; epoch <= t.epochs(); ++epoch) {
    progress.StartEpoch(epoch);
    progress.SetMessage(absl::StrCat("training epoch ", epoch, "/", t.epochs()));
    EpochSummary summary;
    summary.epoch = epoch;
    double loss_sum = 0;
    int64_t loss_steps = 0;
    const Clock::time_point epoch_start = Clock::now();
    for (int64_t i = 0; i < steps_per_epoch; ++i) {
      if (cancel_.load()) return Cancelled();
      const Clock::time_point step_start = Clock::now();
      std::optional<LoadedBatch> batch = loader.Next();
      if (!batch.has_value()) break;
      ++step;
      for (const std::string& error : batch->errors) {
        spdlog::warn("training job {}: training image skipped: {}", spec_.job_id, error);
        ++skipped_;
      }
      const double rate = schedule.At(step - 1);
      if (batch->examples.empty()) continue;
      SetLearningRate(optimizer.get(), rate);
      const TensorBatch tensors = ToTensorBatch(batch->examples);
      const FcosLosses losses = model_->Losses(tensors.images, tensors.targets);
      torch::Tensor total = losses.Total();
      StepLosses values{total.item<double>(), losses.classification.item<double>(),
                        losses.bbox_regression.item<double>(), losses.bbox_ctrness.item<double>()};
      if (step == spec_.inject_nan_loss_at_step) values.total = std::nan("");
      if (!std::isfinite(values.total)) {
        return NonFinite(
            std::isnan(values.total) ? "the loss became NaN" : "the loss became infinite", epoch,
            step, values);
      }
      optimizer->zero_grad();
      total.backward();
      if (t.gradient_clip_norm() > 0) {
        const double norm = torch::nn::utils::clip_grad_norm_(parameters, t.gradient_clip_norm());
        if (!std::isfinite(norm)) {
          return NonFinite("the gradient norm became non-finite", epoch, step, values);
        }
      }
      optimizer->step();
      const int64_t images = static_cast<int64_t>(batch->examples.size());
      loss_sum += values.total;
      ++loss_steps;
      summary.images += images;
      progress.RecordStep(values, images, SecondsSince(step_start), rate);
      Report(progress);
    }
    summary.train_seconds = SecondsSince(epoch_start);
    summary.mean_loss = loss_steps > 0 ? loss_sum / static_cast<double>(loss_steps) : 0;

    const Clock::time_point eval_start = Clock::now();
    absl::StatusOr<ModelVersionMetrics> metrics = Evaluate(epoch, &progress);
    if (!metrics.ok()) return metrics.status();
    summary.eval_seconds = SecondsSince(eval_start);
    summary.val_map = metrics->map;
    // Ties go to the later epoch: it has trained longer on the same evidence.
    if (dataset_.val.empty() || !best_weights.has_value() || metrics->map >= best_metrics.map) {
      best_metrics = *metrics;
      best_epoch = epoch;
      // Without validation the last epoch is kept: no copy needed, the model holds it.
      if (!dataset_.val.empty()) best_weights = CopyWeights(*model_);
    }
    progress.RecordEvaluation(epoch, metrics->map, summary.eval_seconds, best_metrics.map,
                              best_epoch);
    Say(&progress,
        absl::StrFormat("epoch %d/%d: mean loss %.4f, val mAP %.4f (best %.4f at epoch %d)", epoch,
                        t.epochs(), summary.mean_loss, metrics->map, best_metrics.map, best_epoch));
    result.epochs.push_back(summary);
  }
  loader.Stop();
  if (cancel_.load()) return Cancelled();

  if (best_weights.has_value() && best_epoch != t.epochs()) {
    if (absl::Status s = LoadStateDict(*model_, *best_weights); !s.ok()) return s;
  }

  ModelVersionInfo info;
  info.parent_version = parent_version_;
  info.job_id = spec_.job_id;
  info.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  info.train_labels = static_cast<int64_t>(dataset_.train.size());
  info.val_labels = static_cast<int64_t>(dataset_.val.size());
  info.class_names = dataset_.class_names;
  info.metrics = best_metrics;
  info.best_epoch = dataset_.val.empty() ? 0 : best_epoch;
  info.epochs = t.epochs();
  google::protobuf::TextFormat::PrintToString(spec_.detector, &info.detector_config);
  Say(&progress, "writing the new model version");
  WriteModelVersionOptions write_options;
  if (spec_.pause_before_publish_ms > 0) {
    write_options.before_publish = [this](const std::string&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(spec_.pause_before_publish_ms));
      return absl::OkStatus();
    };
  }
  absl::StatusOr<ModelVersionInfo> written =
      WriteModelVersion(spec_.models_dir, *model_, info, write_options);
  if (!written.ok()) return written.status();

  result.version = *std::move(written);
  result.version_dir = (std::filesystem::path(spec_.models_dir) / result.version.version).string();
  result.images_per_second = progress.overall_images_per_second();
  result.skipped_examples = skipped_;
  Say(&progress, absl::StrFormat("wrote %s (val mAP %.4f, %.2f images/s)", result.version.version,
                                 result.version.metrics.map, result.images_per_second));
  return result;
}

}  // namespace

absl::StatusOr<TrainingJobResult> RunTrainingJob(const TrainingJobSpec& spec, Store* store,
                                                 const TrainingProgressCallback& progress,
                                                 const std::atomic<bool>& cancel) {
  // torch and OpenCV report errors by throwing; a job must fail, not take the daemon down.
  try {
    TrainingRun run(spec, store, progress, cancel);
    return run.Run();
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("training failed: ", e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("training failed: ", e.what()));
  }
}

}  // namespace labelloop
