// Crash consistency: labelloopd is killed with SIGKILL at random moments, over many cycles,
// while clients lease and label images over gRPC and training rounds start from the label count;
// some kills land while a round trains and one while a round writes its version folder. After
// every kill and restart:
//   - the store passes `PRAGMA integrity_check` (checked on the files the crash left, before the
//     daemon opens them again);
//   - every acknowledged label is there, box for box;
//   - no version folder is half-written on disk once the daemon is back (no `vN.tmp-*`), every
//     listed version has its folder, and the serving model (when one exists) answers Predict.
//
// The short form runs in the test suite. LABELLOOP_CRASH_CYCLES (default 4) and
// LABELLOOP_CRASH_SEED (default: from the clock, printed) make the long form; see README.md.

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/store_integrity.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::Rpc;

namespace fs = std::filesystem;

constexpr int kImages = 800;
constexpr int kClients = 4;
const char* const kClasses[] = {"WBC", "RBC", "Platelets"};

// Rounds start every 25 new labels and take a few seconds each (one epoch at a tiny input size),
// so random kills land before, during and after training.
constexpr char kConfig[] = R"pb(
  detector { min_size: 64 max_size: 96 threads: 1 }
  store { validation_share: 0.25 }
  training {
    epochs: 1
    batch_size: 4
    warmup_steps: 1
    min_train_labels: 4
    trigger_new_labels: 25
    max_interval_seconds: 0
    threads: 1
  }
)pb";

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  int64_t parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) ? parsed : fallback;
}

// Boxes that differ from image to image, so a label landing on the wrong image shows.
std::vector<v1::Box> BoxesFor(int64_t image_id) {
  std::vector<v1::Box> boxes;
  for (int64_t i = 0; i < 1 + image_id % 3; ++i) {
    v1::Box box;
    box.set_x1(static_cast<float>(i));
    box.set_y1(static_cast<float>(image_id % 7));
    box.set_x2(static_cast<float>(12 + i + image_id % 13));
    box.set_y2(24.5f);
    box.set_class_name(kClasses[(image_id + i) % 3]);
    boxes.push_back(box);
  }
  return boxes;
}

class CrashConsistencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestDaemonOptions options;
    options.config_text = kConfig;
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon =
        testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    auto channel = daemon_->NewChannel();
    v1::DatasetService::Stub dataset(channel);
    v1::UpdateClassesRequest classes;
    for (const char* name : kClasses) classes.add_names(name);
    v1::UpdateClassesResponse classes_reply;
    ASSERT_TRUE(dataset.UpdateClasses(Rpc().get(), classes, &classes_reply).ok());
    v1::AddImagesResponse added;
    auto context = Rpc(absl::Seconds(120));
    auto writer = dataset.AddImages(context.get(), &added);
    for (int i = 0; i < kImages; ++i) {
      v1::AddImagesRequest request;
      request.set_data(testing::EncodeTestBmp(32, 32, static_cast<uint32_t>(i)));
      request.set_name(absl::StrCat("crash", i, ".bmp"));
      ASSERT_TRUE(writer->Write(request));
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(added.added(), kImages);
  }

  // Leases and labels images until the daemon stops answering or `stop` is set.
  void LabelUntilStopped(int client, const std::atomic<bool>& stop) {
    auto channel = daemon_->NewChannel();
    v1::QueueService::Stub queue(channel);
    while (!stop.load()) {
      v1::GetNextBatchRequest request;
      request.set_count(2);
      request.set_annotator(absl::StrCat("client", client));
      v1::GetNextBatchResponse batch;
      if (!queue.GetNextBatch(Rpc().get(), request, &batch).ok() || batch.items().empty()) return;
      for (const v1::QueueItem& item : batch.items()) {
        v1::SubmitLabelsRequest submit;
        submit.set_image_id(item.image_id());
        submit.set_lease_id(item.lease_id());
        const std::vector<v1::Box> boxes = BoxesFor(item.image_id());
        for (const v1::Box& box : boxes) *submit.add_boxes() = box;
        v1::SubmitLabelsResponse reply;
        const grpc::Status status = queue.SubmitLabels(Rpc().get(), submit, &reply);
        if (!status.ok()) {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
          return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        acknowledged_.emplace_back(item.image_id(), boxes);
      }
    }
  }

  // Runs the labeling clients while `until` waits for the moment to kill, then kills.
  template <typename Wait>
  void LabelAndKillWhen(Wait until) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([this, c, &stop] { LabelUntilStopped(c, stop); });
    }
    until();
    ASSERT_TRUE(daemon_->Kill().ok());
    stop = true;
    for (std::thread& client : clients) client.join();
  }

  std::vector<v1::Job> Jobs() {
    v1::TrainingService::Stub training(daemon_->NewChannel());
    v1::ListJobsResponse reply;
    training.ListJobs(Rpc().get(), v1::ListJobsRequest(), &reply);
    return {reply.jobs().begin(), reply.jobs().end()};
  }

  // Asks for a round (the label-count trigger stops once every image is labeled); an error only
  // means one is already queued or running.
  void StartRound() {
    v1::TrainingService::Stub training(daemon_->NewChannel());
    v1::Job job;
    training.StartRound(Rpc().get(), v1::StartRoundRequest(), &job);
  }

  bool RoundRunning() {
    for (const v1::Job& job : Jobs()) {
      if (job.state() == v1::JOB_STATE_RUNNING) return true;
    }
    return false;
  }

  std::vector<std::string> TempVersionFolders() {
    std::vector<std::string> names;
    const fs::path models = daemon_->data_dir() / "models";
    if (!fs::exists(models)) return names;
    for (const fs::directory_entry& entry : fs::directory_iterator(models)) {
      const std::string name = entry.path().filename().string();
      if (absl::StrContains(name, ".tmp")) names.push_back(name);
    }
    return names;
  }

  // The checks after a kill: integrity on the files as the crash left them, then a restart and
  // labels, versions and the serving model over gRPC.
  void CheckAfterCrash() {
    EXPECT_EQ(testing::SqliteIntegrityCheck(daemon_->data_dir() / "labelloop.db"), "ok");
    ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
    auto channel = daemon_->NewChannel();
    v1::DatasetService::Stub dataset(channel);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [image_id, boxes] : acknowledged_) {
      v1::GetImageRequest request;
      request.set_image_id(image_id);
      v1::GetImageResponse reply;
      const grpc::Status status = dataset.GetImage(Rpc().get(), request, &reply);
      ASSERT_TRUE(status.ok()) << image_id << ": " << status.error_message();
      ASSERT_TRUE(reply.has_label()) << "acknowledged label of image " << image_id << " lost";
      ASSERT_EQ(reply.label().boxes_size(), static_cast<int>(boxes.size())) << image_id;
      for (size_t i = 0; i < boxes.size(); ++i) {
        const v1::Box& stored = reply.label().boxes(static_cast<int>(i));
        EXPECT_FLOAT_EQ(stored.x1(), boxes[i].x1()) << image_id;
        EXPECT_FLOAT_EQ(stored.y1(), boxes[i].y1()) << image_id;
        EXPECT_FLOAT_EQ(stored.x2(), boxes[i].x2()) << image_id;
        EXPECT_FLOAT_EQ(stored.y2(), boxes[i].y2()) << image_id;
        EXPECT_EQ(stored.class_name(), boxes[i].class_name()) << image_id;
      }
    }
    labels_checked_ += acknowledged_.size();

    // Start-up removed what a killed write left; every listed version is a complete folder.
    EXPECT_TRUE(TempVersionFolders().empty()) << TempVersionFolders()[0];
    v1::ModelService::Stub models(channel);
    v1::ListModelsResponse listed;
    ASSERT_TRUE(models.ListModels(Rpc().get(), v1::ListModelsRequest(), &listed).ok());
    for (const v1::Model& model : listed.models()) {
      const fs::path folder = daemon_->data_dir() / "models" / model.version();
      EXPECT_TRUE(fs::exists(folder / "metadata.json")) << folder;
    }
    if (!listed.serving_version().empty()) {
      v1::PredictRequest predict;
      predict.set_image_data(testing::EncodeTestBmp(32, 32, 424242));
      v1::PredictResponse predicted;
      const grpc::Status status = models.Predict(Rpc(absl::Seconds(60)).get(), predict, &predicted);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(predicted.model_version(), listed.serving_version());
      ++serving_checks_;
    }
    versions_seen_ = listed.models_size();
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::mutex mutex_;
  std::vector<std::pair<int64_t, std::vector<v1::Box>>> acknowledged_;
  size_t labels_checked_ = 0;
  int serving_checks_ = 0;
  int versions_seen_ = 0;
};

TEST_F(CrashConsistencyTest, RandomKillsWhileLabelingTrainingAndWritingVersions) {
  const int cycles = static_cast<int>(EnvInt("LABELLOOP_CRASH_CYCLES", 4));
  const uint64_t seed = static_cast<uint64_t>(
      EnvInt("LABELLOOP_CRASH_SEED", absl::ToUnixMicros(absl::Now()) % 1000000));
  std::cout << "LABELLOOP_CRASH_SEED=" << seed << "\n";
  std::mt19937_64 random(seed);
  int kills_in_rounds = 0;

  for (int cycle = 0; cycle < cycles; ++cycle) {
    // Every third cycle waits for a round to train and kills inside it; the others kill at a
    // random moment (which may or may not be inside a round).
    const bool in_round = cycle % 3 == 2;
    const absl::Duration delay =
        absl::Milliseconds(std::uniform_int_distribution<int>(50, 2500)(random));
    bool killed_in_round = false;
    LabelAndKillWhen([&] {
      if (in_round) {
        StartRound();
        const absl::Time deadline = absl::Now() + absl::Seconds(30);
        while (!RoundRunning() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
        absl::SleepFor(delay / 4);
      } else {
        absl::SleepFor(delay);
      }
      killed_in_round = RoundRunning();
    });
    if (HasFatalFailure()) return;
    kills_in_rounds += killed_in_round ? 1 : 0;
    CheckAfterCrash();
    if (HasFatalFailure()) return;
    std::cout << "cycle " << cycle << ": killed after " << absl::ToInt64Milliseconds(delay) << " ms"
              << (killed_in_round ? " during a round" : "") << "; " << acknowledged_.size()
              << " acknowledged labels all there, " << versions_seen_ << " versions\n";
  }

  // One kill inside a version write, every time: the next daemon holds each finished version
  // in its temporary folder long enough for the kill to land there.
  ASSERT_TRUE(daemon_->Stop().ok());
  ASSERT_EQ(setenv("LABELLOOP_TEST_PAUSE_BEFORE_PUBLISH_MS", "60000", 1), 0);
  absl::Status restarted = daemon_->Restart();
  unsetenv("LABELLOOP_TEST_PAUSE_BEFORE_PUBLISH_MS");
  ASSERT_TRUE(restarted.ok()) << daemon_->Log();
  bool caught_write = false;
  LabelAndKillWhen([&] {
    StartRound();
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (!caught_write && absl::Now() < deadline) {
      for (const std::string& name : TempVersionFolders()) {
        if (fs::exists(daemon_->data_dir() / "models" / name / "metadata.json")) {
          caught_write = true;
        }
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  ASSERT_TRUE(caught_write) << "no round reached its version write";
  EXPECT_FALSE(TempVersionFolders().empty());  // the crash left the half-written folder
  CheckAfterCrash();
  if (HasFatalFailure()) return;

  std::cout << "crash consistency: " << cycles + 1 << " kill cycles (" << kills_in_rounds
            << " during a round, 1 during a version write), " << labels_checked_
            << " label checks (" << acknowledged_.size() << " distinct acknowledged labels), "
            << serving_checks_ << " serving-model loads, seed " << seed << "\n";
  EXPECT_GT(acknowledged_.size(), 0u);
}

}  // namespace
}  // namespace labelloop
