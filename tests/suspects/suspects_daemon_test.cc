// The real labelloopd over gRPC on loopback: class changes through the CLI, and suspected label
// errors found after promotions by a model whose predictions are known (its head is set by
// hand: every location says "cat", confidently).

#include <torch/torch.h>

#include <chrono>
#include <thread>

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
#include "labelloop/v1/suspects.grpc.pb.h"
#include "tests/testing/box_builder.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/constant_fcos_head.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"
#include "trainer/model_version_writer.h"

namespace labelloop {
namespace {

using ::labelloop::testing::MakeBox;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDetector[] =
    "min_size: 96 max_size: 128 fpn_channels: 32 head_convs: 1 detections_per_img: 6";

class SuspectsDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestDaemonOptions options;
    options.config_text =
        absl::StrCat("detector { ", kDetector,
                     " threads: 1 } suspects { max_per_image: 10 }"
                     " training { trigger_new_labels: 0 max_interval_seconds: 0 }");
    auto daemon = testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    Connect();
  }
  void Connect() {
    channel_ = daemon_->NewChannel();
    cli_ = std::make_unique<testing::CliRunner>(LABELLOOP_CLI_PATH, daemon_->address());
  }
  // Adds one synthetic image per seed and labels each with `boxes[i]`; returns the image ids.
  std::vector<int64_t> AddLabeled(const std::vector<std::vector<v1::Box>>& boxes) {
    v1::DatasetService::Stub dataset(channel_);
    grpc::ClientContext add_context;
    v1::AddImagesResponse added;
    auto writer = dataset.AddImages(&add_context, &added);
    for (size_t i = 0; i < boxes.size(); ++i) {
      v1::AddImagesRequest request;
      request.set_data(testing::EncodeTestBmp(128, 96, static_cast<uint32_t>(i + 7)));
      request.set_name(absl::StrCat("img", i, ".bmp"));
      writer->Write(request);
    }
    writer->WritesDone();
    EXPECT_TRUE(writer->Finish().ok());
    v1::QueueService::Stub queue(channel_);
    grpc::ClientContext next_context;
    v1::GetNextBatchRequest next;
    next.set_count(static_cast<int32_t>(boxes.size()));
    next.set_annotator("ann");
    v1::GetNextBatchResponse batch;
    EXPECT_TRUE(queue.GetNextBatch(&next_context, next, &batch).ok());
    std::vector<int64_t> ids;
    for (const v1::AddedImage& image : added.images()) ids.push_back(image.image_id());
    for (const v1::QueueItem& item : batch.items()) {
      const size_t i = std::find(ids.begin(), ids.end(), item.image_id()) - ids.begin();
      grpc::ClientContext context;
      v1::SubmitLabelsRequest submit;
      submit.set_image_id(item.image_id());
      submit.set_lease_id(item.lease_id());
      for (const v1::Box& box : boxes[i]) *submit.add_boxes() = box;
      v1::SubmitLabelsResponse response;
      grpc::Status status = queue.SubmitLabels(&context, submit, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return ids;
  }
  // Writes models/vN whose every location predicts "cat" at ~1.0 and nothing else.
  void WriteCatEverywhereModel(int64_t number) {
    v1::DetectorConfig config;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kDetector, &config));
    absl::StatusOr<FcosOptions> options = FcosOptionsFromConfig(config, 2);
    ASSERT_TRUE(options.ok()) << options.status().message();
    Fcos model(*options);
    testing::MakeHeadConstant(model, {{1, 8.0f}, {2, -8.0f}}, 8.0f);  // cat, not dog
    ModelVersionInfo info;
    info.version = VersionName(number);
    info.class_names = {"cat", "dog"};
    info.detector_config = kDetector;
    auto written = WriteModelVersion(daemon_->data_dir().string() + "/models", *model, info);
    ASSERT_TRUE(written.ok()) << written.status();
  }
  void Promote(const std::string& version) {
    v1::ModelService::Stub models(channel_);
    grpc::ClientContext context;
    v1::PromoteModelRequest request;
    request.set_version(version);
    v1::Model model;
    grpc::Status status = models.PromoteModel(&context, request, &model);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // Waits for the scan of `version` to finish, then lists open suspects.
  v1::ListSuspectLabelsResponse ScannedBy(const std::string& version) {
    v1::SuspectService::Stub suspects(channel_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    v1::ListSuspectLabelsResponse response;
    while (std::chrono::steady_clock::now() < deadline) {
      grpc::ClientContext context;
      response.Clear();
      EXPECT_TRUE(
          suspects.ListSuspectLabels(&context, v1::ListSuspectLabelsRequest(), &response).ok());
      if (response.model_version() == version && !response.scanning()) return response;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the scan with " << version << " did not finish";
    return response;
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<testing::CliRunner> cli_;
};

TEST_F(SuspectsDaemonTest, PromotionRaisesSuspectsAndDismissedOnesStayQuiet) {
  cli_->RunOk({"classes", "set", "cat", "dog"});
  // Image 0 has no box although "cats" are everywhere; image 1 has a "dog" the model never sees.
  std::vector<int64_t> ids = AddLabeled({{}, {MakeBox(10, 10, 60, 50, "dog")}});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(daemon_->Stop().ok());
  WriteCatEverywhereModel(1);
  WriteCatEverywhereModel(2);
  ASSERT_TRUE(daemon_->Restart().ok());
  Connect();

  Promote("v1");
  v1::ListSuspectLabelsResponse first = ScannedBy("v1");
  EXPECT_EQ(first.images_checked(), 2);
  EXPECT_EQ(first.images_total(), 2);
  int missing = 0;
  const v1::Suspect* on_dog = nullptr;
  for (const v1::Suspect& s : first.suspects()) {
    EXPECT_EQ(s.model_version(), "v1");
    EXPECT_EQ(s.label_version(), 1);
    if (s.image_id() == ids[0]) {
      EXPECT_EQ(s.kind(), v1::SUSPECT_KIND_MISSING_BOX);
      EXPECT_EQ(s.prediction().class_name(), "cat");
      EXPECT_GT(s.prediction().score(), 0.9f);
      ++missing;
    } else if (s.label_box_index() == 0) {
      on_dog = &s;
    }
  }
  EXPECT_EQ(missing, 6);  // detections_per_img
  for (int i = 1; i < first.suspects_size(); ++i) {
    EXPECT_GE(first.suspects(i - 1).suspicion(), first.suspects(i).suspicion());
  }
  // The dog box: a "cat" over it (a class mismatch) or nothing (spurious), depending on which
  // of the hand-set model's boxes reach it.
  ASSERT_NE(on_dog, nullptr);
  EXPECT_EQ(on_dog->image_id(), ids[1]);
  EXPECT_EQ(on_dog->label_box().class_name(), "dog");
  EXPECT_TRUE(on_dog->kind() == v1::SUSPECT_KIND_SPURIOUS_BOX ||
              on_dog->kind() == v1::SUSPECT_KIND_CLASS_MISMATCH)
      << on_dog->ShortDebugString();
  const v1::SuspectKind dog_kind = on_dog->kind();

  // The CLI shows the same list, and dismisses the one on the dog box.
  std::vector<nlohmann::json> listed = testing::JsonLines(
      cli_->RunOk({"--json", "suspects", "ls", absl::StrCat("--image=", ids[1])}));
  ASSERT_FALSE(listed.empty());
  const int64_t dismissed_id = on_dog->id();
  bool shown = false;
  for (const nlohmann::json& line : listed) {
    if (line["id"] != dismissed_id) continue;
    shown = true;
    EXPECT_EQ(line["label_box"]["class"], "dog");
    EXPECT_EQ(line["model_version"], "v1");
  }
  EXPECT_TRUE(shown);
  EXPECT_THAT(cli_->RunOk({"suspects", "dismiss", absl::StrCat(dismissed_id), "--reviewer=rev"}),
              HasSubstr("dismissed"));

  // Another promotion scans again: same findings, but the dismissed one is not raised again
  // for this label version. The model's "cat" is compared under its new name.
  cli_->RunOk({"classes", "rename", "cat", "feline"});
  Promote("v2");
  v1::ListSuspectLabelsResponse second = ScannedBy("v2");
  for (const v1::Suspect& s : second.suspects()) {
    EXPECT_EQ(s.model_version(), "v2");
    if (s.has_prediction()) {
      EXPECT_EQ(s.prediction().class_name(), "feline");
    }
    EXPECT_FALSE(s.image_id() == ids[1] && s.kind() == dog_kind && s.label_box_index() == 0);
  }
  EXPECT_EQ(second.suspects_size(), first.suspects_size() - 1);
  listed = testing::JsonLines(cli_->RunOk({"--json", "suspects", "ls", "--status=dismissed"}));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["reviewer"], "rev");
  testing::ProcessResult bad = cli_->Run({"suspects", "dismiss", "999"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("no suspect with id 999"));
}

TEST_F(SuspectsDaemonTest, ClassChangesThroughTheCliVersionLabelsAndListThemForReview) {
  cli_->RunOk({"classes", "set", "cat", "kitten", "dog"});
  std::vector<int64_t> ids =
      AddLabeled({{MakeBox(1, 1, 20, 20, "kitten"), MakeBox(30, 30, 60, 60, "dog")},
                  {MakeBox(5, 5, 40, 40, "cat")}});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_THAT(cli_->RunOk({"classes", "rename", "dog", "canine"}), HasSubstr("canine"));
  std::vector<nlohmann::json> merged =
      testing::JsonLines(cli_->RunOk({"--json", "classes", "merge", "kitten", "--into=cat"}));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0]["kind"], "merge");
  EXPECT_EQ(merged[0]["boxes_remapped"], 1);
  EXPECT_EQ(merged[0]["images_to_review"], nlohmann::json::array({ids[0]}));
  // A new label version, by the class change, with the kitten now a cat.
  v1::DatasetService::Stub dataset(channel_);
  grpc::ClientContext context;
  v1::GetImageRequest get;
  get.set_image_id(ids[0]);
  v1::GetImageResponse image;
  ASSERT_TRUE(dataset.GetImage(&context, get, &image).ok());
  EXPECT_EQ(image.label().version(), 2);
  EXPECT_THAT(image.label().annotator(), HasSubstr("class change"));
  ASSERT_EQ(image.label().boxes_size(), 2);
  EXPECT_EQ(image.label().boxes(0).class_name(), "cat");
  EXPECT_EQ(image.label().boxes(1).class_name(), "canine");
  std::vector<nlohmann::json> classes =
      testing::JsonLines(cli_->RunOk({"--json", "classes", "ls"}));
  std::vector<std::string> names;
  for (const nlohmann::json& c : classes) names.push_back(c["name"]);
  EXPECT_THAT(names, ElementsAre("cat", "canine"));
  testing::ProcessResult bad = cli_->Run({"classes", "delete", "kitten"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("NOT_FOUND"));
  std::vector<nlohmann::json> changes =
      testing::JsonLines(cli_->RunOk({"--json", "classes", "changes"}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["kind"], "rename");
  EXPECT_EQ(changes[1]["kind"], "merge");
}

}  // namespace
}  // namespace labelloop
