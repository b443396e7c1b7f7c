#ifndef LABELLOOP_TRAINER_TRAINING_JOB_H_
#define LABELLOOP_TRAINER_TRAINING_JOB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "labelloop/v1/config.pb.h"
#include "labelloop/v1/training.pb.h"
#include "trainer/model_version.h"

namespace labelloop {

class Store;

struct TrainingJobSpec {
  int64_t job_id = 0;
  v1::TrainingConfig training;
  v1::DetectorConfig detector;
  // Where versions are written (`models_dir/vN/`).
  std::string models_dir;
  // The serving model to warm-start from: its version and weights file ("" when nothing
  // serves). Ignored when reset_weights or training.reset_weights_each_round is set; the job
  // then starts from training.initial_weights, or from scratch when that is empty.
  std::string base_version;
  std::string base_checkpoint;
  bool reset_weights = false;
  // Larger encoded images are refused (and skipped) by the loader.
  int64_t max_image_bytes = int64_t{50} << 20;
  // Also evaluates the starting weights before the first epoch (TrainingJobResult::
  // initial_val_map); costs one evaluation.
  bool evaluate_initial_weights = false;
  // Target precision and support of the auto-labeling threshold calibrated at each evaluation.
  v1::AutoLabelConfig autolabel;
  // Testing: the loss of this 1-based step is replaced by NaN, to exercise divergence handling
  // (0: never).
  int64_t inject_nan_loss_at_step = 0;
  // Testing: holds the finished version in its temporary folder this long before publishing it,
  // so crash tests can kill the daemon in the middle of a version write (0: never).
  int64_t pause_before_publish_ms = 0;
};

struct EpochSummary {
  int epoch = 0;             // 1-based
  double mean_loss = 0;      // mean total training loss over the epoch's steps
  double val_map = -1;       // -1: no validation labels
  double train_seconds = 0;  // steps, including waits for batches
  double eval_seconds = 0;
  int64_t images = 0;  // training images seen
};

struct TrainingJobResult {
  // The version written (name, metrics of the kept epoch, label counts, ...).
  ModelVersionInfo version;
  std::string version_dir;
  // What the weights started from, in words ("warm start from models/v3/weights.safetensors").
  std::string warm_start;
  std::vector<EpochSummary> epochs;
  // With spec.evaluate_initial_weights: the starting weights' validation mAP (-1 otherwise).
  double initial_val_map = -1;
  // Training throughput over the whole job (steps including data waits, not evaluation).
  double images_per_second = 0;
  // Examples the loader could not read or decode (skipped, logged).
  int64_t skipped_examples = 0;
};

using TrainingProgressCallback = std::function<void(const v1::JobProgress&)>;

// Runs one training round to completion on the calling thread: reads every accepted label of the
// train and val splits from `store`, builds the detector (num_classes = project classes + 1),
// warm-starts it (see TrainingJobSpec), trains with SGD or AdamW, linear warm-up then cosine,
// gradient clipping and seeded augmentation (images loaded on training.loader_threads
// background threads), evaluates COCO mAP on the val split after every epoch, keeps the best
// epoch's weights (the last epoch's when there are no val labels) and writes them as a new
// version under spec.models_dir. Does not promote: see promotion_policy.h.
//
// `progress` is called on this thread after every step and during evaluation. `cancel` is
// checked between steps and between evaluation batches: once it is true the job stops within a
// step and returns CANCELLED, writing nothing. Errors: FAILED_PRECONDITION when there are too few
// training labels or no classes, INVALID_ARGUMENT for a bad config or unusable initial weights,
// INTERNAL when the loss or the gradients become NaN or infinite (the message says which and
// what to change). Sets torch's intra-op thread count to training.threads.
absl::StatusOr<TrainingJobResult> RunTrainingJob(const TrainingJobSpec& spec, Store* store,
                                                 const TrainingProgressCallback& progress,
                                                 const std::atomic<bool>& cancel);

}  // namespace labelloop

#endif  // LABELLOOP_TRAINER_TRAINING_JOB_H_
