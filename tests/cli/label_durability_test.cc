// Every label the daemon acknowledged survives kill -9 at any moment, and a clean stop.
//
// Several clients lease images and submit labels as fast as they can (through the gRPC stub,
// so the daemon is busy writing when the signal lands); each records what was acknowledged.
// The daemon is SIGKILLed mid-stream, restarted on the same data folder, and every
// acknowledged label must be there, box for box.

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::Rpc;

constexpr int kImages = 300;
constexpr int kClients = 4;
const char* const kClasses[] = {"WBC", "RBC", "Platelets"};

struct Acknowledged {
  int64_t image_id = 0;
  std::vector<v1::Box> boxes;
};

// Boxes that differ from image to image, so a label landing on the wrong image shows.
std::vector<v1::Box> BoxesFor(int64_t image_id) {
  std::vector<v1::Box> boxes;
  for (int64_t i = 0; i < image_id % 4; ++i) {
    v1::Box box;
    box.set_x1(static_cast<float>(i));
    box.set_y1(static_cast<float>(image_id % 7));
    box.set_x2(static_cast<float>(10 + i + image_id % 13));
    box.set_y2(20.5f);
    box.set_class_name(kClasses[(image_id + i) % 3]);
    boxes.push_back(box);
  }
  return boxes;
}

class LabelDurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon = testing::TestDaemon::Start();
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
      request.set_count(3);
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
          // Anything but the daemon going away is a bug in this test's requests.
          EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
          return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        acknowledged_.push_back({item.image_id(), boxes});
      }
    }
  }

  // Runs the clients, kills the daemon once `kill_after` labels are acknowledged, and waits
  // for the clients to notice.
  void LabelAndKill(size_t kill_after) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([this, c, &stop] { LabelUntilStopped(c, stop); });
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (absl::Now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (acknowledged_.size() >= kill_after) break;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    ASSERT_TRUE(daemon_->Kill().ok());
    stop = true;
    for (std::thread& client : clients) client.join();
  }

  void ExpectEveryAcknowledgedLabel() {
    auto channel = daemon_->NewChannel();
    v1::DatasetService::Stub dataset(channel);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Acknowledged& label : acknowledged_) {
      v1::GetImageRequest request;
      request.set_image_id(label.image_id);
      v1::GetImageResponse reply;
      const grpc::Status status = dataset.GetImage(Rpc().get(), request, &reply);
      ASSERT_TRUE(status.ok()) << label.image_id << ": " << status.error_message();
      EXPECT_EQ(reply.image().state(), v1::IMAGE_STATE_LABELED) << label.image_id;
      ASSERT_TRUE(reply.has_label()) << "acknowledged label of image " << label.image_id << " lost";
      ASSERT_EQ(reply.label().boxes_size(), static_cast<int>(label.boxes.size())) << label.image_id;
      for (size_t i = 0; i < label.boxes.size(); ++i) {
        const v1::Box& stored = reply.label().boxes(static_cast<int>(i));
        EXPECT_FLOAT_EQ(stored.x1(), label.boxes[i].x1());
        EXPECT_FLOAT_EQ(stored.y1(), label.boxes[i].y1());
        EXPECT_FLOAT_EQ(stored.x2(), label.boxes[i].x2());
        EXPECT_FLOAT_EQ(stored.y2(), label.boxes[i].y2());
        EXPECT_EQ(stored.class_name(), label.boxes[i].class_name());
      }
    }
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::mutex mutex_;
  std::vector<Acknowledged> acknowledged_;
};

TEST_F(LabelDurabilityTest, AcknowledgedLabelsSurviveKillNine) {
  // Two crashes: the second one hits a daemon that recovered from the first.
  for (size_t kill_after : {30u, 70u}) {
    LabelAndKill(kill_after);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
    ExpectEveryAcknowledgedLabel();
    std::cout << "killed after " << acknowledged_.size() << " acknowledged labels; all there\n";
  }
  EXPECT_GE(acknowledged_.size(), 70u);
}

TEST_F(LabelDurabilityTest, CleanStopKeepsLabelsAndExitsZero) {
  LabelAndKill(0);  // Nothing labeled yet: a kill right away must also be harmless.
  ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
  std::atomic<bool> stop{false};
  std::thread client([this, &stop] { LabelUntilStopped(0, stop); });
  absl::SleepFor(absl::Milliseconds(300));
  stop = true;
  client.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ASSERT_FALSE(acknowledged_.empty());
  }
  absl::StatusOr<int> exit_code = daemon_->Stop();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << daemon_->Log();
  ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
  ExpectEveryAcknowledgedLabel();
}

}  // namespace
}  // namespace labelloop
