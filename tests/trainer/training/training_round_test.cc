// A real training round on a small real set: 40 BCCD blood-cell images, labeled through the
// Store API, a small FCOS at low resolution, trained for a few epochs on this machine's CPU.

#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "common/class_changes.h"
#include "common/sha256.h"
#include "common/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/checkpoint.h"
#include "inference/checkpoint_metadata.h"
#include "inference/detector_config.h"
#include "inference/fcos.h"
#include "tests/common/temp_dir.h"
#include "tests/trainer/training/voc_annotation.h"
#include "trainer/model_version.h"
#include "trainer/training_job.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr int64_t kNow = 1'700'000'000'000;

std::string DatasetDir() {
  const char* dir = std::getenv("LABELLOOP_DATASETS_DIR");
  return dir != nullptr ? dir : LABELLOOP_DATASETS_DIR_DEFAULT;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Adds the first `count` BCCD images (by file name) with their VOC boxes as accepted labels.
// Returns the number of boxes left out as degenerate.
int AddBccd(Store* store, int count) {
  const fs::path bccd = fs::path(DatasetDir()) / "bccd";
  std::vector<std::string> xmls;
  for (const auto& entry : fs::directory_iterator(bccd / "Annotations")) {
    xmls.push_back(entry.path().string());
  }
  std::sort(xmls.begin(), xmls.end());
  EXPECT_TRUE(store->SetClasses({"RBC", "WBC", "Platelets"}).ok());
  const absl::flat_hash_map<std::string, int64_t> class_ids = *store->ClassIds();
  int added = 0;
  int skipped_boxes = 0;
  for (const std::string& xml : xmls) {
    if (added == count) break;
    testing::VocAnnotation voc;
    if (!testing::ReadVocAnnotation(xml, &voc)) continue;
    const std::string path = (bccd / "JPEGImages" / voc.filename).string();
    if (!fs::exists(path)) continue;
    const std::string bytes = ReadAll(path);
    NewImage image;
    image.uri = path;
    image.sha256 = Sha256Hex(bytes);
    image.size_bytes = static_cast<int64_t>(bytes.size());
    image.width = voc.width;
    image.height = voc.height;
    absl::StatusOr<std::vector<AddImageResult>> ids = store->AddImages({image});
    EXPECT_TRUE(ids.ok()) << ids.status();
    const int64_t id = (*ids)[0].image_id;
    NewLabel label;
    label.image_id = id;
    label.lease_id = "lease-" + std::to_string(id);
    label.annotator = "voc";
    for (const testing::VocObject& o : voc.objects) {
      // A few BCCD boxes are empty or inverted; the API would refuse them.
      const float x1 = std::clamp(o.xmin, 0.0f, static_cast<float>(voc.width));
      const float x2 = std::clamp(o.xmax, 0.0f, static_cast<float>(voc.width));
      const float y1 = std::clamp(o.ymin, 0.0f, static_cast<float>(voc.height));
      const float y2 = std::clamp(o.ymax, 0.0f, static_cast<float>(voc.height));
      auto it = class_ids.find(o.name);
      if (x2 - x1 < 1 || y2 - y1 < 1 || it == class_ids.end()) {
        ++skipped_boxes;
        continue;
      }
      label.boxes.push_back({x1, y1, x2, y2, it->second});
    }
    EXPECT_TRUE(store->PutLeases({{id, label.lease_id, "voc", kNow + 3'600'000}}).ok());
    absl::StatusOr<StoredLabel> stored = store->SubmitLabel(label, kNow);
    EXPECT_TRUE(stored.ok()) << stored.status();
    ++added;
  }
  EXPECT_EQ(added, count);
  return skipped_boxes;
}

v1::DetectorConfig SmallDetector() {
  v1::DetectorConfig config;
  config.set_backbone("resnet18");
  config.set_fpn_channels(64);
  config.set_head_convs(2);
  config.set_min_size(192);
  config.set_max_size(256);
  // From scratch every stage must learn; frozen random stem features would only hold it back.
  config.set_trainable_backbone_layers(5);
  return config;
}

v1::TrainingConfig FastTraining(int epochs) {
  v1::TrainingConfig config;
  config.set_epochs(epochs);
  config.set_batch_size(4);
  // AdamW: from scratch, without a pretrained backbone's BatchNorm statistics (FrozenBatchNorm
  // starts as the identity), its per-parameter step sizes learn far faster than SGD.
  config.set_optimizer("adamw");
  config.set_learning_rate(2e-3);
  config.set_momentum(0.9);
  config.set_weight_decay(1e-4);
  config.set_warmup_steps(5);
  config.set_gradient_clip_norm(10);
  config.set_threads(2);
  config.set_loader_threads(1);
  config.set_min_train_labels(8);
  config.set_seed(7);
  return config;
}

class TrainingRoundTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // glibc hands large freed blocks back to the kernel by default, so every step page-faults
    // its activations in again; keeping them makes LibTorch on this CPU several times faster.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }

  void OpenStore(double validation_share, int images) {
    StoreOptions options;
    options.validation_share = validation_share;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.path() + "/data", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    AddBccd(store_.get(), images);
  }

  TrainingJobSpec Spec(int epochs) {
    TrainingJobSpec spec;
    spec.job_id = 1;
    spec.training = FastTraining(epochs);
    spec.detector = SmallDetector();
    spec.models_dir = models_dir();
    return spec;
  }

  std::string models_dir() const { return dir_.path() + "/models"; }

  // Every entry of the models folder (versions and anything else).
  std::vector<std::string> ModelsFolder() const {
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::exists(models_dir(), ec)) return names;
    for (const auto& entry : fs::directory_iterator(models_dir())) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TrainingRoundTest, RealRoundLearnsAndWritesAVersionThenWarmStartsTheNext) {
  OpenStore(0.25, 40);
  TrainingJobSpec spec = Spec(4);
  spec.evaluate_initial_weights = true;
  std::vector<v1::JobProgress> reports;
  std::atomic<bool> cancel{false};
  const Clock::time_point start = Clock::now();
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(
      spec, store_.get(), [&](const v1::JobProgress& p) { reports.push_back(p); }, cancel);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_TRUE(result.ok()) << result.status();

  std::cout << "round 1: " << seconds << " s, " << result->images_per_second
            << " training images/s, train " << result->version.train_labels << " val "
            << result->version.val_labels << ", initial val mAP " << result->initial_val_map
            << "\n";
  for (const EpochSummary& e : result->epochs) {
    std::cout << "  epoch " << e.epoch << ": loss " << e.mean_loss << ", val mAP " << e.val_map
              << ", train " << e.train_seconds << " s, eval " << e.eval_seconds << " s\n";
  }
  RecordProperty("round_seconds", std::to_string(seconds));
  RecordProperty("images_per_second", std::to_string(result->images_per_second));

  // It learned: the loss went down and validation mAP rose above the untrained model's.
  ASSERT_EQ(result->epochs.size(), 4u);
  EXPECT_LT(result->epochs.back().mean_loss, 0.8 * result->epochs.front().mean_loss);
  EXPECT_GT(result->version.metrics.map, result->initial_val_map);
  EXPECT_GT(result->version.metrics.map50, 0);
  double best = -1;
  for (const EpochSummary& e : result->epochs) best = std::max(best, e.val_map);
  EXPECT_DOUBLE_EQ(result->version.metrics.map, best);
  EXPECT_EQ(result->epochs[result->version.best_epoch - 1].val_map, best);
  EXPECT_GT(result->version.val_labels, 0);
  EXPECT_EQ(result->version.train_labels + result->version.val_labels, 40);
  EXPECT_GT(result->images_per_second, 0);

  // Progress: every step reported, in order, with the fields watchers show.
  int64_t last_step = 0;
  bool saw_eval = false, saw_map = false;
  for (const v1::JobProgress& p : reports) {
    EXPECT_GE(p.step(), last_step);
    last_step = p.step();
    EXPECT_EQ(p.epochs(), 4);
    EXPECT_EQ(p.state(), v1::JOB_STATE_RUNNING);
    if (p.step() > 0) {
      EXPECT_GT(p.loss(), 0);
      EXPECT_GT(p.learning_rate(), 0);
      EXPECT_GT(p.images_per_second(), 0);
      EXPECT_GE(p.eta_seconds(), 0);
    }
    if (absl::StrContains(p.message(), "evaluating epoch")) saw_eval = true;
    if (p.val_map() >= 0) saw_map = true;
  }
  EXPECT_EQ(last_step, reports.back().steps());
  EXPECT_TRUE(saw_eval);
  EXPECT_TRUE(saw_map);

  // The version: complete on disk, loadable, and describing itself.
  EXPECT_EQ(result->version.version, "v1");
  EXPECT_THAT(ModelsFolder(), ::testing::ElementsAre("v1"));
  absl::StatusOr<ModelVersionInfo> info = ReadModelVersion(result->version_dir);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->version, "v1");
  EXPECT_EQ(info->parent_version, "");
  EXPECT_EQ(info->job_id, 1);
  EXPECT_THAT(info->class_names, ::testing::ElementsAre("RBC", "WBC", "Platelets"));
  EXPECT_DOUBLE_EQ(info->metrics.map, result->version.metrics.map);
  EXPECT_EQ(info->metrics.per_class.size(), 3u);
  EXPECT_EQ(info->best_epoch, result->version.best_epoch);
  // The kept epoch's error analysis, stored with the version: a 3 classes + background confusion
  // matrix whose rows hold every validation box, and per-class counts that agree with it.
  const ErrorAnalysis& analysis = info->metrics.analysis;
  EXPECT_EQ(analysis.confusion, result->version.metrics.analysis.confusion);
  ASSERT_EQ(analysis.confusion.size(), 4u);
  ASSERT_EQ(analysis.per_class.size(), 3u);
  int64_t validation_boxes = 0;
  for (size_t k = 0; k < 3; ++k) {
    int64_t row = 0, column = 0;
    for (size_t j = 0; j < 4; ++j) {
      row += analysis.confusion[k][j];
      column += analysis.confusion[j][k];
    }
    validation_boxes += row;
    EXPECT_EQ(analysis.per_class[k].true_positives, analysis.confusion[k][k]);
    EXPECT_EQ(analysis.per_class[k].misses, row - analysis.confusion[k][k]);
    EXPECT_EQ(analysis.per_class[k].false_positives, column - analysis.confusion[k][k]);
  }
  EXPECT_GT(validation_boxes, 0);
  for (size_t i = 0; i < analysis.hardest.size(); ++i) {
    EXPECT_LT(analysis.hardest[i].f1, 1.0);
    if (i > 0) {
      EXPECT_GE(analysis.hardest[i].f1, analysis.hardest[i - 1].f1);
    }
  }
  // The config's float default, widened.
  EXPECT_NEAR(info->metrics.autolabel.target_precision, 0.95, 1e-6);
  std::cout << "  analysis: " << validation_boxes << " validation boxes, "
            << analysis.hardest.size() << " hard images, auto-label threshold "
            << (info->metrics.autolabel.found ? std::to_string(info->metrics.autolabel.threshold)
                                              : std::string("not found"))
            << "\n";
  EXPECT_THAT(info->detector_config, HasSubstr("min_size: 192"));
  EXPECT_EQ(info->weights_sha256.size(), 64u);
  const std::string weights = result->version_dir + "/weights.safetensors";
  EXPECT_EQ(static_cast<int64_t>(fs::file_size(weights)), info->weights_bytes);
  absl::StatusOr<FcosOptions> options = FcosOptionsFromConfig(SmallDetector(), 3);
  ASSERT_TRUE(options.ok());
  Fcos loaded(*options);
  absl::StatusOr<SafetensorsMetadata> metadata = LoadCheckpointInto(*loaded, weights);
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  absl::StatusOr<CheckpointInfo> checkpoint_info = CheckpointInfoFromMetadata(*metadata);
  ASSERT_TRUE(checkpoint_info.ok());
  EXPECT_THAT(checkpoint_info->class_names, ::testing::ElementsAre("RBC", "WBC", "Platelets"));
  EXPECT_THAT(checkpoint_info->metrics_json, HasSubstr("\"map\""));

  // Round 2 after a class was renamed and one added: warm-starts from v1 keeping the known
  // classes' rows, the renamed one's moved by name.
  ASSERT_TRUE(RenameClass(store_.get(), "WBC", "Leukocyte", 1).ok());
  ASSERT_TRUE(AddClass(store_.get(), "Debris", 2).ok());
  TrainingJobSpec next = Spec(1);
  next.job_id = 2;
  next.base_version = "v1";
  next.base_checkpoint = weights;
  std::vector<std::string> messages;
  absl::StatusOr<TrainingJobResult> second = RunTrainingJob(
      next, store_.get(), [&](const v1::JobProgress& p) { messages.push_back(p.message()); },
      cancel);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version.version, "v2");
  EXPECT_EQ(second->version.parent_version, "v1");
  EXPECT_THAT(second->warm_start, HasSubstr("warm start from"));
  EXPECT_THAT(second->warm_start,
              HasSubstr("rows kept for RBC, Leukocyte (from WBC), Platelets, new ones"));
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("serving version v1")));
  EXPECT_EQ(second->version.class_names.size(), 4u);
  // Fine-tuning from v1 starts where v1 left off, far from the scratch model's loss.
  EXPECT_LT(second->epochs[0].mean_loss, result->epochs.front().mean_loss);
  EXPECT_THAT(*ListModelVersions(models_dir()), ::testing::ElementsAre("v1", "v2"));
}

TEST_F(TrainingRoundTest, CancelStopsPromptlyAndWritesNothing) {
  OpenStore(0.25, 40);
  TrainingJobSpec spec = Spec(3);
  std::atomic<bool> cancel{false};
  const Clock::time_point start = Clock::now();
  Clock::time_point cancelled_at;
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(
      spec, store_.get(),
      [&](const v1::JobProgress& p) {
        std::cout << std::chrono::duration<double>(Clock::now() - start).count() << " s: step "
                  << p.step() << " " << p.message() << "\n";
        if (p.step() == 2 && !cancel.load()) {
          cancelled_at = Clock::now();
          cancel = true;
        }
      },
      cancel);
  const double latency = std::chrono::duration<double>(Clock::now() - cancelled_at).count();
  std::cout << "cancelled " << std::chrono::duration<double>(cancelled_at - start).count()
            << " s into the job, returned " << latency << " s later\n";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled) << result.status();
  EXPECT_LT(latency, 2.0);
  EXPECT_TRUE(ModelsFolder().empty());
}

TEST_F(TrainingRoundTest, HugeLearningRateFailsOnTheNonFiniteLoss) {
  OpenStore(0.25, 40);
  TrainingJobSpec spec = Spec(2);
  spec.training.set_learning_rate(1e6);
  spec.training.set_warmup_steps(0);
  spec.training.set_gradient_clip_norm(0);
  std::atomic<bool> cancel{false};
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(spec, store_.get(), nullptr, cancel);
  ASSERT_FALSE(result.ok());
  std::cout << result.status() << "\n";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("training diverged"));
  EXPECT_THAT(result.status().message(),
              ::testing::AnyOf(HasSubstr("NaN"), HasSubstr("infinite"), HasSubstr("non-finite")));
  EXPECT_THAT(result.status().message(), HasSubstr("learning_rate (now 1e+06)"));
  EXPECT_TRUE(ModelsFolder().empty());
}

TEST_F(TrainingRoundTest, InjectedNanFailsTheJobWithItsStep) {
  OpenStore(0.25, 40);
  TrainingJobSpec spec = Spec(2);
  spec.inject_nan_loss_at_step = 3;
  std::atomic<bool> cancel{false};
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(spec, store_.get(), nullptr, cancel);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("training diverged: the loss became NaN at epoch 1, step 3"));
  EXPECT_TRUE(ModelsFolder().empty());
}

TEST_F(TrainingRoundTest, TooFewLabelsIsAPrecondition) {
  OpenStore(0.25, 12);
  TrainingJobSpec spec = Spec(1);
  spec.training.set_min_train_labels(100);
  std::atomic<bool> cancel{false};
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(spec, store_.get(), nullptr, cancel);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("at least 100 accepted training labels"));
}

TEST_F(TrainingRoundTest, WithoutValidationLabelsTheLastEpochIsKept) {
  OpenStore(0.0, 8);
  TrainingJobSpec spec = Spec(1);
  spec.training.set_epochs(2);
  std::vector<std::string> messages;
  std::atomic<bool> cancel{false};
  absl::StatusOr<TrainingJobResult> result = RunTrainingJob(
      spec, store_.get(), [&](const v1::JobProgress& p) { messages.push_back(p.message()); },
      cancel);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->version.val_labels, 0);
  EXPECT_DOUBLE_EQ(result->version.metrics.map, -1);
  EXPECT_EQ(result->version.best_epoch, 0);
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("no validation labels")));
  EXPECT_TRUE(ReadModelVersion(result->version_dir).ok());
}

}  // namespace
}  // namespace labelloop
