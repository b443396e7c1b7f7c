// Annotator overlap through the real labelloopd on loopback: with overlap.share 1 and k = 2,
// concurrent annotators each get every image at most once and every image is labeled by exactly
// two different annotators; disagreeing images go to review; per-annotator statistics through
// the RPC and the CLI; overlap progress survives a restart.

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/annotators.grpc.pb.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "tests/testing/box_builder.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::MakeBox;
using ::labelloop::testing::Rpc;

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kOverlapConfig[] =
    "overlap { share: 1.0 annotators: 2 match_iou: 0.5 review_below: 0.7 }\n";

class AnnotatorsDaemonTest : public ::testing::Test {
 protected:
  void StartWithImages(int images) {
    testing::TestDaemonOptions options;
    options.config_text = kOverlapConfig;
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon =
        testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::UpdateClassesRequest classes;
    classes.add_names("car");
    classes.add_names("person");
    v1::UpdateClassesResponse classes_reply;
    ASSERT_TRUE(dataset.UpdateClasses(Rpc().get(), classes, &classes_reply).ok());
    v1::AddImagesResponse added;
    auto context = Rpc();
    auto writer = dataset.AddImages(context.get(), &added);
    for (int i = 0; i < images; ++i) {
      v1::AddImagesRequest request;
      request.set_data(testing::EncodeTestBmp(64, 64, static_cast<uint32_t>(1000 + i)));
      request.set_name(absl::StrCat("overlap", i, ".bmp"));
      ASSERT_TRUE(writer->Write(request));
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(added.added(), images);
  }

  std::vector<v1::QueueItem> Next(const std::string& annotator, int count) {
    v1::QueueService::Stub queue(daemon_->NewChannel());
    v1::GetNextBatchRequest request;
    request.set_count(count);
    request.set_annotator(annotator);
    v1::GetNextBatchResponse batch;
    grpc::Status status = queue.GetNextBatch(Rpc().get(), request, &batch);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {batch.items().begin(), batch.items().end()};
  }

  grpc::Status Submit(const v1::QueueItem& item, const std::vector<v1::Box>& boxes) {
    v1::QueueService::Stub queue(daemon_->NewChannel());
    v1::SubmitLabelsRequest submit;
    submit.set_image_id(item.image_id());
    submit.set_lease_id(item.lease_id());
    for (const v1::Box& box : boxes) *submit.add_boxes() = box;
    v1::SubmitLabelsResponse reply;
    return queue.SubmitLabels(Rpc().get(), submit, &reply);
  }

  int64_t ImagesInState(v1::ImageState state) {
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::ListImagesRequest request;
    request.set_state(state);
    request.set_page_size(1000);
    v1::ListImagesResponse response;
    EXPECT_TRUE(dataset.ListImages(Rpc().get(), request, &response).ok());
    return response.images_size();
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
};

TEST_F(AnnotatorsDaemonTest, ConcurrentAnnotatorsEachImageToExactlyTwoDifferentOnes) {
  constexpr int kImages = 16;
  constexpr int kAnnotators = 4;
  StartWithImages(kImages);
  std::mutex mu;
  std::map<int64_t, std::vector<std::string>> labeled_by;   // Acknowledged submissions.
  std::map<std::string, std::multiset<int64_t>> handed_to;  // Every hand-out.
  std::atomic<int> submitted{0};
  std::vector<std::thread> threads;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  for (int a = 0; a < kAnnotators; ++a) {
    threads.emplace_back([&, a] {
      const std::string annotator = absl::StrCat("annotator", a);
      while (submitted.load() < 2 * kImages && absl::Now() < deadline) {
        std::vector<v1::QueueItem> items = Next(annotator, 3);
        if (items.empty()) {
          absl::SleepFor(absl::Milliseconds(20));  // The rest is held by others right now.
          continue;
        }
        for (const v1::QueueItem& item : items) {
          {
            std::lock_guard<std::mutex> lock(mu);
            handed_to[annotator].insert(item.image_id());
          }
          grpc::Status status = Submit(item, {MakeBox(4, 4, 30, 30, "car")});
          ASSERT_TRUE(status.ok())
              << annotator << " image " << item.image_id() << ": " << status.error_message();
          std::lock_guard<std::mutex> lock(mu);
          labeled_by[item.image_id()].push_back(annotator);
          ++submitted;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(submitted.load(), 2 * kImages);
  ASSERT_EQ(labeled_by.size(), static_cast<size_t>(kImages));
  for (const auto& [image_id, annotators] : labeled_by) {
    ASSERT_EQ(annotators.size(), 2u) << "image " << image_id;
    EXPECT_NE(annotators[0], annotators[1]) << "image " << image_id;
  }
  for (const auto& [annotator, images] : handed_to) {
    for (int64_t image_id : images) {
      EXPECT_EQ(images.count(image_id), 1u) << annotator << " got image " << image_id << " twice";
    }
  }
  // Every image left the queue after its second label, and only then.
  EXPECT_EQ(ImagesInState(v1::IMAGE_STATE_LABELED), kImages);
  EXPECT_TRUE(Next("annotator9", 5).empty());
}

TEST_F(AnnotatorsDaemonTest, HolderAndLabelerNeverGetTheImageAgain) {
  StartWithImages(2);
  std::vector<v1::QueueItem> alice = Next("alice", 1);
  ASSERT_EQ(alice.size(), 1u);
  // Alice holds one; asking again she gets the other image, not the same one again.
  std::vector<v1::QueueItem> again = Next("alice", 5);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].image_id(), alice[0].image_id());
  // Bob gets both (each has a free place), at the same time as Alice.
  std::vector<v1::QueueItem> bob = Next("bob", 5);
  EXPECT_EQ(bob.size(), 2u);
  // Carol gets nothing: both places of both images are taken.
  EXPECT_TRUE(Next("carol", 5).empty());
  v1::QueueService::Stub queue(daemon_->NewChannel());
  v1::QueueStatus status;
  ASSERT_TRUE(queue.GetQueueStatus(Rpc().get(), v1::GetQueueStatusRequest(), &status).ok());
  EXPECT_EQ(status.available(), 0) << status.DebugString();
  EXPECT_EQ(status.waiting(), 2) << status.ShortDebugString();
  EXPECT_EQ(status.leased(), 2);
  ASSERT_TRUE(Submit(alice[0], {}).ok());
  ASSERT_TRUE(Submit(again[0], {}).ok());
  EXPECT_TRUE(Next("alice", 5).empty());
  // The image waits for Bob's label: still unlabeled.
  EXPECT_EQ(ImagesInState(v1::IMAGE_STATE_LABELED), 0);
  // A used lease is refused with a message that says so.
  grpc::Status reused = Submit(alice[0], {});
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  for (const v1::QueueItem& item : bob) ASSERT_TRUE(Submit(item, {}).ok());
  EXPECT_EQ(ImagesInState(v1::IMAGE_STATE_LABELED), 2);
}

TEST_F(AnnotatorsDaemonTest, DisagreementGoesToReviewAndStatsShowIt) {
  constexpr int kImages = 4;
  StartWithImages(kImages);
  std::vector<v1::QueueItem> alice = Next("alice", kImages);
  std::vector<v1::QueueItem> bob = Next("bob", kImages);
  ASSERT_EQ(alice.size(), static_cast<size_t>(kImages));
  ASSERT_EQ(bob.size(), static_cast<size_t>(kImages));
  std::sort(alice.begin(), alice.end(),
            [](const auto& a, const auto& b) { return a.image_id() < b.image_id(); });
  std::sort(bob.begin(), bob.end(),
            [](const auto& a, const auto& b) { return a.image_id() < b.image_id(); });
  const std::vector<v1::Box> two = {MakeBox(2, 2, 20, 20, "car"),
                                    MakeBox(30, 30, 60, 60, "person")};
  std::set<int64_t> disagreeing;
  for (int i = 0; i < kImages; ++i) {
    ASSERT_EQ(alice[i].image_id(), bob[i].image_id());
    ASSERT_TRUE(Submit(alice[i], two).ok());
    if (i % 2 == 0) {
      // Bob: the same boxes, one shifted slightly: full agreement.
      ASSERT_TRUE(
          Submit(bob[i], {MakeBox(3, 2, 21, 20, "car"), MakeBox(30, 30, 60, 60, "person")}).ok());
    } else {
      // Bob: one box of the wrong class and one missing: agreement 0 / 3.
      ASSERT_TRUE(Submit(bob[i], {MakeBox(2, 2, 20, 20, "person")}).ok());
      disagreeing.insert(bob[i].image_id());
    }
  }

  v1::AnnotatorService::Stub annotators(daemon_->NewChannel());
  v1::ListOverlapImagesRequest list;
  list.set_only_disagreements(true);
  v1::ListOverlapImagesResponse listed;
  ASSERT_TRUE(annotators.ListOverlapImages(Rpc().get(), list, &listed).ok());
  std::set<int64_t> sent;
  for (const v1::OverlapImageAgreement& image : listed.images()) {
    sent.insert(image.image_id());
    EXPECT_TRUE(image.sent_to_review());
    EXPECT_DOUBLE_EQ(image.agreement(), 0.0);
    ASSERT_EQ(image.labels_size(), 2);
  }
  EXPECT_EQ(sent, disagreeing);
  list.set_only_disagreements(false);
  ASSERT_TRUE(annotators.ListOverlapImages(Rpc().get(), list, &listed).ok());
  ASSERT_EQ(listed.images_size(), kImages);
  EXPECT_DOUBLE_EQ(listed.images(kImages - 1).agreement(), 1.0);  // Lowest first.

  v1::GetAnnotatorStatsRequest request;
  v1::GetAnnotatorStatsResponse stats;
  ASSERT_TRUE(annotators.GetAnnotatorStats(Rpc().get(), request, &stats).ok());
  ASSERT_EQ(stats.annotators_size(), 2);
  EXPECT_EQ(stats.bucket_seconds(), 86400);
  for (const v1::AnnotatorStats& s : stats.annotators()) {
    EXPECT_EQ(s.total().labels_submitted(), kImages) << s.annotator();
    EXPECT_EQ(s.total().overlap_labels(), kImages);
    EXPECT_EQ(s.total().agreement_labels(), kImages);
    EXPECT_DOUBLE_EQ(s.total().mean_agreement(), 0.5);  // Two of four images agree fully.
    ASSERT_EQ(s.buckets_size(), 1);                     // All labeled within seconds.
    EXPECT_EQ(s.buckets(0).counts().labels_submitted(), kImages);
  }
  request.set_bucket_seconds(-1);
  grpc::Status bad = annotators.GetAnnotatorStats(Rpc().get(), request, &stats);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("bucket_seconds"));

  testing::CliRunner cli(LABELLOOP_CLI_PATH, daemon_->address());
  std::vector<nlohmann::json> lines =
      testing::JsonLines(cli.RunOk({"--json", "annotators", "stats", "--annotator=alice"}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["annotator"], "alice");
  EXPECT_EQ(lines[0]["labels_submitted"], kImages);
  EXPECT_DOUBLE_EQ(lines[0]["mean_agreement"].get<double>(), 0.5);
  EXPECT_EQ(lines[0]["buckets"].size(), 1u);
  std::string table = cli.RunOk({"annotators", "stats", "--bucket=hour"});
  EXPECT_THAT(table, HasSubstr("AGREEMENT"));
  EXPECT_THAT(table, HasSubstr("alice"));
  EXPECT_THAT(table, HasSubstr("0.500"));
  EXPECT_THAT(table, HasSubstr("2 annotator(s)"));
  std::string overlap = cli.RunOk({"annotators", "overlap", "--only=disagreements"});
  EXPECT_THAT(overlap, HasSubstr("2 overlap image(s)"));
  testing::ProcessResult wrong = cli.Run({"annotators", "stats", "--bucket=fortnight"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.err, HasSubstr("--bucket"));
}

TEST_F(AnnotatorsDaemonTest, OverlapProgressSurvivesRestart) {
  StartWithImages(1);
  std::vector<v1::QueueItem> alice = Next("alice", 1);
  std::vector<v1::QueueItem> bob = Next("bob", 1);
  ASSERT_EQ(alice.size(), 1u);
  ASSERT_EQ(bob.size(), 1u);
  ASSERT_TRUE(Submit(alice[0], {MakeBox(1, 1, 9, 9, "car")}).ok());
  absl::Status restarted = daemon_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted << "\n" << daemon_->Log();
  // Alice labeled it: never again. Bob's lease lives on across the restart: nobody else gets
  // the second place, and Bob's submission completes the image.
  EXPECT_TRUE(Next("alice", 1).empty());
  EXPECT_TRUE(Next("carol", 1).empty());
  ASSERT_TRUE(Submit(bob[0], {MakeBox(1, 1, 9, 9, "car")}).ok());
  EXPECT_EQ(ImagesInState(v1::IMAGE_STATE_LABELED), 1);
}

}  // namespace
}  // namespace labelloop
