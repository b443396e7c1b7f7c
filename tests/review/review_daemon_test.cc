// The review workflow in the real labelloopd over loopback gRPC, with BCCD photos: pending
// labels do not count towards training until accepted, review leases keep reviewers apart, a
// rejected image comes back to the queue with its rejected boxes and the reason, an edit is a new
// version, the history keeps every version, SAMPLED reviews about its share; and the CLI.

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/review.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"
#include "tests/testing/box_builder.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::MakeBox;

using ::testing::HasSubstr;

class ReviewDaemonTest : public ::testing::Test {
 protected:
  // Starts labelloopd with `review` as its ReviewConfig; a training round starts after two
  // accepted labels and fails at once (min_train_labels), which is all these tests look at.
  void StartDaemon(const std::string& review) {
    testing::TestDaemonOptions options;
    options.config_text = absl::StrCat(
        "review { ", review,
        " } training { trigger_new_labels: 2 max_interval_seconds: 0 min_train_labels: 10000 }"
        " detector { threads: 1 }");
    auto daemon = testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    channel_ = daemon_->NewChannel();
    cli_ = std::make_unique<testing::CliRunner>(LABELLOOP_CLI_PATH, daemon_->address());
    cli_->RunOk({"classes", "set", "RBC", "WBC", "Platelets"});
  }
  // Adds `count` BCCD photos (synthetic images where the dataset is absent).
  void AddImages(size_t count) {
    v1::DatasetService::Stub dataset(channel_);
    grpc::ClientContext context;
    v1::AddImagesResponse added;
    auto writer = dataset.AddImages(&context, &added);
    std::vector<std::filesystem::path> photos = testing::SampleJpegs(count);
    for (size_t i = 0; i < count; ++i) {
      v1::AddImagesRequest request;
      if (i < photos.size()) {
        request.set_path(photos[i].string());
      } else {
        request.set_data(testing::EncodeTestBmp(320, 240, static_cast<uint32_t>(i + 1)));
        request.set_name(absl::StrCat("img", i, ".bmp"));
      }
      writer->Write(request);
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  std::vector<v1::QueueItem> Next(int count, const std::string& annotator) {
    v1::QueueService::Stub queue(channel_);
    grpc::ClientContext context;
    v1::GetNextBatchRequest request;
    request.set_count(count);
    request.set_annotator(annotator);
    v1::GetNextBatchResponse response;
    grpc::Status status = queue.GetNextBatch(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.items().begin(), response.items().end()};
  }
  v1::SubmitLabelsResponse Submit(const v1::QueueItem& item, const v1::Box& box) {
    v1::QueueService::Stub queue(channel_);
    grpc::ClientContext context;
    v1::SubmitLabelsRequest request;
    request.set_image_id(item.image_id());
    request.set_lease_id(item.lease_id());
    *request.add_boxes() = box;
    v1::SubmitLabelsResponse response;
    grpc::Status status = queue.SubmitLabels(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  v1::GetNextReviewResponse NextReview(const std::string& reviewer) {
    v1::ReviewService::Stub review(channel_);
    grpc::ClientContext context;
    v1::GetNextReviewRequest request;
    request.set_reviewer(reviewer);
    v1::GetNextReviewResponse response;
    grpc::Status status = review.GetNextReview(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  grpc::Status Accept(int64_t label_id, const std::string& lease_id) {
    v1::ReviewService::Stub review(channel_);
    grpc::ClientContext context;
    v1::AcceptLabelRequest request;
    request.set_label_id(label_id);
    request.set_lease_id(lease_id);
    v1::ReviewedLabel response;
    return review.AcceptLabel(&context, request, &response);
  }
  std::vector<v1::Job> Jobs() {
    v1::TrainingService::Stub training(channel_);
    grpc::ClientContext context;
    v1::ListJobsResponse response;
    EXPECT_TRUE(training.ListJobs(&context, v1::ListJobsRequest(), &response).ok());
    return {response.jobs().begin(), response.jobs().end()};
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<testing::CliRunner> cli_;
};

TEST_F(ReviewDaemonTest, ReviewAllPendingAcceptRejectEditAndHistory) {
  StartDaemon("mode: REVIEW_ALL");
  AddImages(3);
  std::vector<v1::QueueItem> items = Next(3, "ann");
  ASSERT_EQ(items.size(), 3u);
  for (const v1::QueueItem& item : items) {
    EXPECT_EQ(Submit(item, MakeBox(10, 10, 60, 50, "RBC")).status(), v1::LABEL_STATUS_PENDING);
  }
  // Three submissions, none accepted: the two-label trigger has not fired.
  EXPECT_TRUE(Jobs().empty());

  // Two reviewers at once get different labels; a third finds only leased ones.
  v1::GetNextReviewResponse a = NextReview("rev1");
  v1::GetNextReviewResponse b = NextReview("rev2");
  v1::GetNextReviewResponse c = NextReview("rev1");
  ASSERT_TRUE(a.has_item() && b.has_item() && c.has_item());
  EXPECT_NE(a.item().label().label_id(), b.item().label().label_id());
  EXPECT_NE(b.item().label().label_id(), c.item().label().label_id());
  EXPECT_NE(a.item().label().label_id(), c.item().label().label_id());
  EXPECT_EQ(a.item().label().annotator(), "ann");
  EXPECT_EQ(a.item().label().boxes(0).class_name(), "RBC");
  EXPECT_GT(a.item().width(), 0);
  EXPECT_FALSE(NextReview("rev3").has_item());

  // A lease decides only its own label.
  grpc::Status wrong = Accept(b.item().label().label_id(), a.item().lease_id());
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(wrong.error_message(), HasSubstr("GetNextReview"));
  ASSERT_TRUE(Accept(a.item().label().label_id(), a.item().lease_id()).ok());
  EXPECT_TRUE(Jobs().empty());
  // Through the CLI: the second accepted label fires the trigger.
  std::vector<nlohmann::json> accepted = testing::JsonLines(
      cli_->RunOk({"--json", "review", "accept", absl::StrCat(b.item().label().label_id()),
                   absl::StrCat("--lease=", b.item().lease_id())}));
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0]["label"]["status"], "accepted");
  EXPECT_EQ(accepted[0]["label"]["reviewer"], "rev2");
  std::vector<v1::Job> jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].trigger(), "new_labels");

  // Rejected (through the CLI, which needs a reason): back in the queue with the context.
  const int64_t image = c.item().label().image_id();
  testing::ProcessResult no_reason =
      cli_->Run({"review", "reject", absl::StrCat(c.item().label().label_id()),
                 absl::StrCat("--lease=", c.item().lease_id())});
  EXPECT_NE(no_reason.exit_code, 0);
  EXPECT_THAT(no_reason.err, HasSubstr("reason"));
  cli_->RunOk({"review", "reject", absl::StrCat(c.item().label().label_id()),
               absl::StrCat("--lease=", c.item().lease_id()), "--reason=box too loose"});
  std::vector<v1::QueueItem> again = Next(5, "ann2");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].image_id(), image);
  ASSERT_TRUE(again[0].has_rejected_label());
  EXPECT_EQ(again[0].rejected_label().reject_reason(), "box too loose");
  EXPECT_EQ(again[0].rejected_label().reviewer(), "rev1");
  ASSERT_EQ(again[0].rejected_label().boxes_size(), 1);
  EXPECT_EQ(again[0].rejected_label().boxes(0).x2(), 60);

  // Relabeled (pending again), then corrected by a reviewer: a new accepted version.
  EXPECT_EQ(Submit(again[0], MakeBox(12, 12, 40, 40, "RBC")).version(), 2);
  v1::GetNextReviewResponse d = NextReview("rev2");
  ASSERT_TRUE(d.has_item());
  EXPECT_EQ(d.item().label().image_id(), image);
  EXPECT_EQ(d.item().label().annotator(), "ann2");
  std::vector<nlohmann::json> edited = testing::JsonLines(
      cli_->RunOk({"--json", "review", "edit", absl::StrCat(d.item().label().label_id()),
                   absl::StrCat("--lease=", d.item().lease_id()), "--box=12,12,44,42,WBC"}));
  ASSERT_EQ(edited.size(), 1u);
  EXPECT_EQ(edited[0]["edited"]["version"], 3);
  EXPECT_EQ(edited[0]["edited"]["status"], "accepted");
  EXPECT_EQ(edited[0]["edited"]["source"], "reviewer");

  // The history keeps every version: who, what, the decision and why.
  std::vector<nlohmann::json> history =
      testing::JsonLines(cli_->RunOk({"--json", "labels", "history", absl::StrCat(image)}));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0]["annotator"], "ann");
  EXPECT_EQ(history[0]["status"], "rejected");
  EXPECT_EQ(history[0]["reject_reason"], "box too loose");
  EXPECT_EQ(history[1]["annotator"], "ann2");
  EXPECT_EQ(history[1]["status"], "rejected");
  EXPECT_THAT(history[1]["reject_reason"].get<std::string>(), HasSubstr("edit"));
  EXPECT_EQ(history[2]["annotator"], "rev2");
  EXPECT_EQ(history[2]["boxes"][0]["class"], "WBC");
  EXPECT_EQ(history[2]["revises_label_id"], d.item().label().label_id());
  // Bad requests name the field.
  {
    v1::ReviewService::Stub review(channel_);
    grpc::ClientContext context;
    v1::GetNextReviewRequest request;
    request.set_lease_seconds(5);
    v1::GetNextReviewResponse response;
    grpc::Status status = review.GetNextReview(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("reviewer"));
  }
  {
    v1::ReviewService::Stub review(channel_);
    grpc::ClientContext context;
    v1::GetNextReviewRequest request;
    request.set_reviewer("rev3");
    request.set_lease_seconds(100000);
    v1::GetNextReviewResponse response;
    grpc::Status status = review.GetNextReview(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("lease_seconds"));
  }
  // Nothing left to review.
  std::vector<nlohmann::json> none =
      testing::JsonLines(cli_->RunOk({"--json", "review", "next", "--reviewer=rev3"}));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_FALSE(none[0].contains("label"));
  EXPECT_EQ(none[0]["pending"], 0);
}

TEST_F(ReviewDaemonTest, SampledReviewsAboutItsShare) {
  StartDaemon("mode: SAMPLED sample_share: 0.5 annotator_share { key: \"new\" value: 1 }");
  constexpr int kImages = 40;
  AddImages(kImages);
  int pending = 0;
  for (const v1::QueueItem& item : Next(kImages - 4, "ann")) {
    pending += Submit(item, MakeBox(10, 10, 60, 50, "RBC")).status() == v1::LABEL_STATUS_PENDING;
  }
  EXPECT_GE(pending, 10);
  EXPECT_LE(pending, 26);
  for (const v1::QueueItem& item : Next(4, "new")) {
    EXPECT_EQ(Submit(item, MakeBox(10, 10, 60, 50, "RBC")).status(), v1::LABEL_STATUS_PENDING);
  }
  EXPECT_EQ(NextReview("rev").pending() + 1, pending + 4);
}

}  // namespace
}  // namespace labelloop
