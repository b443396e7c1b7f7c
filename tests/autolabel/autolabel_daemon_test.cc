// Auto-labeling in the real labelloopd over loopback gRPC, after a real training round. The
// model's predictions are known: v1 is written by hand (every location says "cat" with the same
// score, so its boxes are the same on every image) and the round fine-tunes it at a learning rate
// too small to change them, so the calibration must find a threshold and every pool image is
// confident. The labels are v1's own pre-labels, so the validation split agrees with the model.

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "inference/detector_config.h"
#include "inference/fcos.h"
#include "inference/state_dict.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/review.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/constant_fcos_head.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"
#include "trainer/model_version_writer.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

constexpr char kDetector[] =
    "min_size: 96 max_size: 128 fpn_channels: 32 head_convs: 1 detections_per_img: 6";
constexpr int kImages = 16;
// Images of each split left unlabeled for auto-labeling.
constexpr size_t kLeftPerSplit = 3;

class AutoLabelDaemonTest : public ::testing::Test {
 protected:
  void StartDaemon(bool enabled) {
    testing::TestDaemonOptions options;
    options.config_text = absl::StrCat(
        "detector { ", kDetector, " threads: 1 } store { validation_share: 0.5 }",
        " suspects { enabled: false }",
        " training { trigger_new_labels: 0 max_interval_seconds: 0 epochs: 1 batch_size: 4",
        " optimizer: 'sgd' learning_rate: 1e-8 momentum: 0 weight_decay: 0 warmup_steps: 0",
        " min_train_labels: 4 threads: 2 }", " autolabel { enabled: ", enabled ? "true" : "false",
        " target_precision: 0.9 min_support: 10 iou_threshold: 0.5 review_share: 0.3 }");
    auto daemon = testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = daemon_->NewChannel();
    cli_ = std::make_unique<testing::CliRunner>(LABELLOOP_CLI_PATH, daemon_->address());
    cli_->RunOk({"classes", "set", "cat", "dog"});
  }
  void AddImages() {
    v1::DatasetService::Stub dataset(channel_);
    auto context = testing::Rpc();
    v1::AddImagesResponse added;
    auto writer = dataset.AddImages(context.get(), &added);
    for (int i = 0; i < kImages; ++i) {
      v1::AddImagesRequest request;
      request.set_data(testing::EncodeTestBmp(128, 96, static_cast<uint32_t>(i + 11)));
      request.set_name(absl::StrCat("img", i, ".bmp"));
      writer->Write(request);
    }
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }
  // Writes models/vN whose every location predicts "cat" at one score; `calibration` is what its
  // metadata says auto-labeling may use.
  void WriteCatEverywhereModel(int64_t number, const CalibratedThreshold& calibration) {
    v1::DetectorConfig config;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kDetector, &config));
    absl::StatusOr<FcosOptions> options = FcosOptionsFromConfig(config, 2);
    ASSERT_TRUE(options.ok()) << options.status().message();
    Fcos model(*options);
    testing::MakeHeadConstant(model, {{1, 4.0f}, {2, -8.0f}}, 4.0f);  // cat, not dog
    ModelVersionInfo info;
    info.version = VersionName(number);
    info.class_names = {"cat", "dog"};
    info.detector_config = kDetector;
    info.metrics.map = 0;
    info.metrics.autolabel = calibration;
    auto written = WriteModelVersion(daemon_->data_dir().string() + "/models", *model, info);
    ASSERT_TRUE(written.ok()) << written.status();
  }
  void Promote(const std::string& version) {
    v1::ModelService::Stub models(channel_);
    auto context = testing::Rpc();
    v1::PromoteModelRequest request;
    request.set_version(version);
    v1::Model model;
    grpc::Status status = models.PromoteModel(context.get(), request, &model);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  v1::Model GetModel(const std::string& version) {
    v1::ModelService::Stub models(channel_);
    auto context = testing::Rpc();
    v1::GetModelRequest request;
    request.set_version(version);
    v1::Model model;
    grpc::Status status = models.GetModel(context.get(), request, &model);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return model;
  }
  // Waits for the auto-labeling pass of `version` (it follows the pool re-scoring).
  v1::Model AutoLabeledBy(const std::string& version) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      v1::Model model = GetModel(version);
      if (!model.auto_labeling().note().empty()) return model;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no auto-labeling pass of " << version << "\n" << daemon_->Log();
    return {};
  }
  v1::QueueStatus QueueStatus() {
    v1::QueueService::Stub queue(channel_);
    auto context = testing::Rpc();
    v1::QueueStatus status;
    EXPECT_TRUE(queue.GetQueueStatus(context.get(), v1::GetQueueStatusRequest(), &status).ok());
    return status;
  }
  void WaitForRescoring(const std::string& version) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      v1::QueueStatus status = QueueStatus();
      if (status.rescoring_model_version() == version &&
          status.scored_by_serving() == status.waiting()) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "pool not scored by " << version;
  }
  std::vector<v1::QueueItem> Next(int count, const std::string& annotator) {
    v1::QueueService::Stub queue(channel_);
    auto context = testing::Rpc();
    v1::GetNextBatchRequest request;
    request.set_count(count);
    request.set_annotator(annotator);
    v1::GetNextBatchResponse response;
    grpc::Status status = queue.GetNextBatch(context.get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.items().begin(), response.items().end()};
  }
  void Release(const v1::QueueItem& item) {
    v1::QueueService::Stub queue(channel_);
    auto context = testing::Rpc();
    v1::ReleaseLeaseRequest request;
    request.set_image_id(item.image_id());
    request.set_lease_id(item.lease_id());
    v1::ReleaseLeaseResponse response;
    grpc::Status status = queue.ReleaseLease(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // Submits each item's pre-labels as its label.
  void SubmitPrelabels(const std::vector<v1::QueueItem>& items) {
    v1::QueueService::Stub queue(channel_);
    for (const v1::QueueItem& item : items) {
      ASSERT_FALSE(item.predictions().empty()) << "image " << item.image_id();
      auto context = testing::Rpc();
      v1::SubmitLabelsRequest request;
      request.set_image_id(item.image_id());
      request.set_lease_id(item.lease_id());
      for (v1::Box box : item.predictions()) {
        box.clear_score();
        *request.add_boxes() = box;
      }
      v1::SubmitLabelsResponse response;
      grpc::Status status = queue.SubmitLabels(context.get(), request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }
  std::vector<v1::Image> Images() {
    v1::DatasetService::Stub dataset(channel_);
    auto context = testing::Rpc();
    v1::ListImagesRequest request;
    request.set_page_size(1000);
    v1::ListImagesResponse response;
    EXPECT_TRUE(dataset.ListImages(context.get(), request, &response).ok());
    return {response.images().begin(), response.images().end()};
  }
  std::vector<v1::LabelVersion> History(int64_t image_id) {
    v1::ReviewService::Stub review(channel_);
    auto context = testing::Rpc();
    v1::GetLabelHistoryRequest request;
    request.set_image_id(image_id);
    v1::LabelHistory history;
    grpc::Status status = review.GetLabelHistory(context.get(), request, &history);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {history.versions().begin(), history.versions().end()};
  }
  v1::Job TrainRound() {
    v1::TrainingService::Stub training(channel_);
    v1::Job job;
    {
      auto context = testing::Rpc();
      grpc::Status status = training.StartRound(context.get(), v1::StartRoundRequest(), &job);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      auto context = testing::Rpc();
      v1::GetJobRequest request;
      request.set_job_id(job.id());
      EXPECT_TRUE(training.GetJob(context.get(), request, &job).ok());
      if (job.state() == v1::JOB_STATE_SUCCEEDED || job.state() == v1::JOB_STATE_FAILED ||
          job.state() == v1::JOB_STATE_CANCELLED) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.error();
    return job;
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<testing::CliRunner> cli_;
};

TEST_F(AutoLabelDaemonTest, ConfidentPoolImagesGetMachineLabelsThatTrainButNeverEvaluate) {
  StartDaemon(/*enabled=*/true);
  AddImages();
  // v1 was never calibrated: it serves pre-labels but labels nothing.
  WriteCatEverywhereModel(1, CalibratedThreshold());
  Promote("v1");
  v1::Model v1_model = AutoLabeledBy("v1");
  EXPECT_THAT(v1_model.auto_labeling().note(), HasSubstr("not applied"));
  EXPECT_EQ(v1_model.auto_labeling().images(), 0);

  // People label every image with v1's pre-labels (the same boxes everywhere) but three of each
  // split, which they hand back.
  std::vector<v1::QueueItem> items = Next(kImages, "ann");
  ASSERT_EQ(items.size(), static_cast<size_t>(kImages));
  absl::flat_hash_map<int64_t, std::string> split;
  for (const v1::Image& image : Images()) split[image.id()] = image.split();
  std::vector<int64_t> waiting_train;
  std::vector<int64_t> waiting_val;
  std::vector<v1::QueueItem> to_label;
  int64_t human_val = 0;
  for (const v1::QueueItem& item : items) {
    const bool val = split[item.image_id()] == "val";
    std::vector<int64_t>& waiting = val ? waiting_val : waiting_train;
    if (waiting.size() < kLeftPerSplit) {
      waiting.push_back(item.image_id());
      Release(item);
    } else {
      to_label.push_back(item);
      if (val) ++human_val;
    }
  }
  // The split is a hash of the bytes: fixed for these seeds, about half each.
  ASSERT_EQ(waiting_train.size(), kLeftPerSplit);
  ASSERT_EQ(waiting_val.size(), kLeftPerSplit);
  ASSERT_GE(human_val, 2);
  SubmitPrelabels(to_label);

  const auto started = std::chrono::steady_clock::now();
  v1::Job job = TrainRound();
  ASSERT_TRUE(job.promoted()) << job.promotion_reason();
  ASSERT_EQ(job.result_version(), "v2");
  v1::Model v2 = AutoLabeledBy("v2");
  std::cout << "round + re-scoring + auto-labeling: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s; " << v2.auto_labeling().note() << "\n";
  ASSERT_TRUE(v2.metrics().autolabel().found()) << v2.metrics().autolabel().reason();
  EXPECT_GE(v2.metrics().autolabel().precision(), 0.9);
  EXPECT_EQ(v2.metrics().val_images(), human_val);

  // Every waiting training image got a machine label from v2; validation images none.
  const int64_t n = static_cast<int64_t>(waiting_train.size());
  const int64_t sampled = static_cast<int64_t>(std::ceil(0.3 * static_cast<double>(n) - 1e-9));
  EXPECT_EQ(v2.auto_labeling().images(), n) << v2.auto_labeling().note();
  EXPECT_EQ(v2.auto_labeling().pending_review(), sampled);
  EXPECT_GE(v2.auto_labeling().threshold(), 0.3);  // never below label assist
  int64_t pending = 0;
  for (int64_t id : waiting_train) {
    std::vector<v1::LabelVersion> history = History(id);
    ASSERT_EQ(history.size(), 1u) << "image " << id;
    EXPECT_EQ(history[0].source(), v1::LABEL_SOURCE_MACHINE);
    EXPECT_EQ(history[0].annotator(), "auto:v2");
    EXPECT_EQ(history[0].prelabel_model_version(), "v2");
    EXPECT_FALSE(history[0].boxes().empty());
    if (history[0].status() == v1::LABEL_STATUS_PENDING) ++pending;
  }
  EXPECT_EQ(pending, sampled);
  for (int64_t id : waiting_val) EXPECT_TRUE(History(id).empty()) << "image " << id;

  // They left the queue: only the validation images are handed out.
  std::vector<v1::QueueItem> left = Next(kImages, "ann2");
  EXPECT_EQ(left.size(), waiting_val.size());
  for (const v1::QueueItem& item : left) {
    EXPECT_NE(std::find(waiting_val.begin(), waiting_val.end(), item.image_id()),
              waiting_val.end());
  }

  // Reviewers get the sampled machine labels; an edit (a person's version) supersedes one.
  v1::ReviewService::Stub review(channel_);
  v1::GetNextReviewResponse next;
  {
    auto context = testing::Rpc();
    v1::GetNextReviewRequest request;
    request.set_reviewer("rita");
    ASSERT_TRUE(review.GetNextReview(context.get(), request, &next).ok());
  }
  ASSERT_TRUE(next.has_item());
  EXPECT_EQ(next.item().label().source(), v1::LABEL_SOURCE_MACHINE);
  const int64_t edited_image = next.item().label().image_id();
  {
    auto context = testing::Rpc();
    v1::EditLabelRequest request;
    request.set_label_id(next.item().label().label_id());
    request.set_lease_id(next.item().lease_id());
    v1::Box box = next.item().label().boxes(0);
    box.clear_score();
    box.set_class_name("dog");
    *request.add_boxes() = box;
    v1::ReviewedLabel reviewed;
    grpc::Status status = review.EditLabel(context.get(), request, &reviewed);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  std::vector<v1::LabelVersion> edited = History(edited_image);
  ASSERT_EQ(edited.size(), 2u);
  EXPECT_EQ(edited[1].source(), v1::LABEL_SOURCE_REVIEWER);
  EXPECT_EQ(edited[1].status(), v1::LABEL_STATUS_ACCEPTED);

  // The next round trains on the accepted machine labels (and the edit) but evaluates on the
  // people's validation labels only.
  v1::Job next_job = TrainRound();
  const int64_t accepted_machine = n - sampled;
  EXPECT_EQ(next_job.train_labels(), job.train_labels() + accepted_machine + 1);
  EXPECT_EQ(next_job.val_labels(), job.val_labels());
  EXPECT_EQ(GetModel(next_job.result_version()).metrics().val_images(), human_val);

  // The CLI shows it.
  const std::string shown = cli_->RunOk({"models", "get", "v2"});
  EXPECT_THAT(shown, HasSubstr(absl::StrCat("machine labels: ", n, " images (")));
  EXPECT_THAT(shown, HasSubstr("auto-label: threshold"));
  EXPECT_THAT(cli_->RunOk({"labels", "history", absl::StrCat(waiting_train[0])}),
              HasSubstr("machine"));

  // A restart runs a pass with the serving version again; it finds nothing left to label.
  ASSERT_TRUE(daemon_->Restart().ok());
  channel_ = daemon_->NewChannel();
  v1::Model serving = AutoLabeledBy(next_job.result_version());
  EXPECT_EQ(serving.auto_labeling().images(), 0) << serving.auto_labeling().note();
  EXPECT_EQ(GetModel("v2").auto_labeling().images(), n);
  for (int64_t id : waiting_val) EXPECT_TRUE(History(id).empty()) << "image " << id;
}

TEST_F(AutoLabelDaemonTest, DisabledLabelsNothingEvenWithACalibratedModel) {
  StartDaemon(/*enabled=*/false);
  AddImages();
  CalibratedThreshold calibration;
  calibration.found = true;
  calibration.target_precision = 0.9;
  calibration.threshold = 0.3;
  calibration.precision = 1;
  calibration.support = 100;
  WriteCatEverywhereModel(1, calibration);
  Promote("v1");
  WaitForRescoring("v1");
  // Long enough for a pass that should not happen (the enabled one takes well under this).
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  v1::Model model = GetModel("v1");
  EXPECT_EQ(model.auto_labeling().images(), 0);
  EXPECT_TRUE(model.auto_labeling().note().empty());
  for (const v1::Image& image : Images()) {
    EXPECT_EQ(image.state(), v1::IMAGE_STATE_UNLABELED);
    EXPECT_EQ(image.label_versions(), 0);
  }
  EXPECT_EQ(Next(kImages, "ann").size(), static_cast<size_t>(kImages));
}

}  // namespace
}  // namespace labelloop
