// A full disk under a running labelloopd, over real gRPC: writes fail with RESOURCE_EXHAUSTED
// saying the disk is full and which file, reads keep working, no acknowledged label is lost, no
// partial file is left, the store passes `PRAGMA integrity_check`, and once space is freed the
// same writes succeed; a training round that cannot write its version fails and the serving
// model stays.
//
// The full disk is simulated portably (no root, no mount, works in containers): the test lowers
// the running daemon's RLIMIT_FSIZE with prlimit(2), so every write past a small offset fails
// with EFBIG (the daemon ignores SIGXFSZ), and SQLite's writes fail as a real ENOSPC makes them
// fail; raising the limit again is "freeing space".

#include <sys/resource.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/model.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "labelloop/v1/training.grpc.pb.h"
#include "tests/testing/box_builder.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/store_integrity.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::MakeBox;
using ::labelloop::testing::Rpc;

namespace fs = std::filesystem;

// One epoch at a tiny input size: a round takes a few seconds.
constexpr char kConfig[] = R"pb(
  detector { min_size: 64 max_size: 96 threads: 1 }
  store { validation_share: 0.25 }
  training {
    epochs: 1
    batch_size: 4
    warmup_steps: 1
    min_train_labels: 4
    trigger_new_labels: 1000
    max_interval_seconds: 0
    threads: 1
  }
)pb";

// Files a failed write could have left behind: durable writes' `*.tmp.*` and version folders'
// `vN.tmp-*`.
std::vector<std::string> TemporaryFiles(const fs::path& dir) {
  std::vector<std::string> found;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (absl::StrContains(entry.path().filename().string(), ".tmp")) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestDaemonOptions options;
    options.config_text = kConfig;
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon =
        testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::UpdateClassesRequest classes;
    classes.add_names("cell");
    classes.add_names("blob");
    v1::UpdateClassesResponse reply;
    ASSERT_TRUE(dataset.UpdateClasses(Rpc().get(), classes, &reply).ok());
    ASSERT_TRUE(AddImages(16, 0).ok());
  }

  // Sets the daemon's file size limit (its soft limit; the hard one stays), as a full disk.
  void LimitFileSize(rlim_t bytes) {
    struct rlimit old_limit;
    ASSERT_EQ(prlimit(daemon_->pid(), RLIMIT_FSIZE, nullptr, &old_limit), 0);
    struct rlimit limit = old_limit;
    limit.rlim_cur = bytes == RLIM_INFINITY ? old_limit.rlim_max : bytes;
    ASSERT_EQ(prlimit(daemon_->pid(), RLIMIT_FSIZE, &limit, nullptr), 0) << std::strerror(errno);
  }
  void FillDisk() { LimitFileSize(1); }
  void FreeSpace() { LimitFileSize(RLIM_INFINITY); }

  // Uploads `count` 48x48 BMPs whose pixels come from seeds first_seed.. .
  grpc::Status AddImages(int count, uint32_t first_seed) {
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::AddImagesResponse added;
    auto context = Rpc();
    auto writer = dataset.AddImages(context.get(), &added);
    for (int i = 0; i < count; ++i) {
      v1::AddImagesRequest request;
      request.set_data(testing::EncodeTestBmp(48, 48, first_seed + static_cast<uint32_t>(i)));
      request.set_name(absl::StrCat("img", first_seed + i, ".bmp"));
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Leases one image; its lease and the boxes to label it with.
  v1::QueueItem Lease(const std::string& annotator = "ann") {
    v1::QueueService::Stub queue(daemon_->NewChannel());
    v1::GetNextBatchRequest request;
    request.set_count(1);
    request.set_annotator(annotator);
    v1::GetNextBatchResponse batch;
    const grpc::Status status = queue.GetNextBatch(Rpc().get(), request, &batch);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(batch.items_size(), 1);
    return batch.items_size() == 1 ? batch.items(0) : v1::QueueItem();
  }

  std::vector<v1::Box> BoxesFor(int64_t image_id) {
    const float shift = static_cast<float>(image_id % 9);
    return {MakeBox(2 + shift, 3, 20 + shift, 30, "cell"), MakeBox(25, 20 - shift, 44, 40, "blob")};
  }

  grpc::Status Submit(const v1::QueueItem& item) {
    v1::QueueService::Stub queue(daemon_->NewChannel());
    v1::SubmitLabelsRequest submit;
    submit.set_image_id(item.image_id());
    submit.set_lease_id(item.lease_id());
    for (const v1::Box& box : BoxesFor(item.image_id())) *submit.add_boxes() = box;
    v1::SubmitLabelsResponse reply;
    grpc::Status status = queue.SubmitLabels(Rpc().get(), submit, &reply);
    if (status.ok()) acknowledged_.push_back(item.image_id());
    return status;
  }

  void LabelImages(int count) {
    for (int i = 0; i < count; ++i) {
      const grpc::Status status = Submit(Lease());
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  // Every acknowledged label reads back box for box.
  void ExpectAcknowledgedLabels() {
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    for (int64_t image_id : acknowledged_) {
      v1::GetImageRequest request;
      request.set_image_id(image_id);
      v1::GetImageResponse reply;
      const grpc::Status status = dataset.GetImage(Rpc().get(), request, &reply);
      ASSERT_TRUE(status.ok()) << image_id << ": " << status.error_message();
      ASSERT_TRUE(reply.has_label()) << "acknowledged label of image " << image_id << " lost";
      const std::vector<v1::Box> boxes = BoxesFor(image_id);
      ASSERT_EQ(reply.label().boxes_size(), static_cast<int>(boxes.size())) << image_id;
      for (size_t i = 0; i < boxes.size(); ++i) {
        EXPECT_FLOAT_EQ(reply.label().boxes(static_cast<int>(i)).x1(), boxes[i].x1()) << image_id;
        EXPECT_EQ(reply.label().boxes(static_cast<int>(i)).class_name(), boxes[i].class_name());
      }
    }
  }

  v1::Job RunRound() {
    v1::TrainingService::Stub training(daemon_->NewChannel());
    v1::Job job;
    grpc::Status status = training.StartRound(Rpc().get(), v1::StartRoundRequest(), &job);
    EXPECT_TRUE(status.ok()) << status.error_message();
    const absl::Time deadline = absl::Now() + absl::Seconds(120);
    while (absl::Now() < deadline) {
      v1::GetJobRequest request;
      request.set_job_id(job.id());
      status = training.GetJob(Rpc().get(), request, &job);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (job.state() == v1::JOB_STATE_SUCCEEDED || job.state() == v1::JOB_STATE_FAILED ||
          job.state() == v1::JOB_STATE_CANCELLED) {
        return job;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "round " << job.id() << " did not end in 120 s";
    return job;
  }

  v1::ListModelsResponse Models() {
    v1::ModelService::Stub models(daemon_->NewChannel());
    v1::ListModelsResponse listed;
    const grpc::Status status = models.ListModels(Rpc().get(), v1::ListModelsRequest(), &listed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return listed;
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::vector<int64_t> acknowledged_;
};

TEST_F(FullDiskTest, WritesFailClearlyReadsWorkNothingIsLostAndWritesResumeAfterFreeing) {
  LabelImages(3);
  const v1::QueueItem pending = Lease();

  FillDisk();
  // An upload: its blob cannot be written.
  grpc::Status status = AddImages(2, 1000);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "disk holding")) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), (daemon_->data_dir() / "blobs").string()))
      << status.error_message();
  // A label: its commit cannot be written. A real ENOSPC is SQLITE_FULL, RESOURCE_EXHAUSTED; the
  // EFBIG here is a bare write error to SQLite, UNAVAILABLE; both say where and what to do.
  status = Submit(pending);
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
              status.error_code() == grpc::StatusCode::UNAVAILABLE)
      << status.error_code() << " " << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "full")) << status.error_message();
  EXPECT_TRUE(
      absl::StrContains(status.error_message(), (daemon_->data_dir() / "labelloop.db").string()))
      << status.error_message();
  // Reads keep working: the queue, listing, the labels already acknowledged.
  const v1::QueueItem another = Lease("another");
  EXPECT_NE(another.image_id(), pending.image_id());
  v1::DatasetService::Stub dataset(daemon_->NewChannel());
  v1::ListImagesResponse listed;
  status = dataset.ListImages(Rpc().get(), v1::ListImagesRequest(), &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(listed.images_size(), 16);
  ExpectAcknowledgedLabels();
  EXPECT_TRUE(TemporaryFiles(daemon_->data_dir()).empty())
      << TemporaryFiles(daemon_->data_dir())[0];
  EXPECT_TRUE(daemon_->Running());

  FreeSpace();
  // The same leases still hold: the failed submission kept its lease, and the lease granted while
  // the disk was full reached the disk once it could.
  status = Submit(pending);
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = Submit(another);
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = AddImages(2, 1000);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(dataset.ListImages(Rpc().get(), v1::ListImagesRequest(), &listed).ok());
  EXPECT_EQ(listed.images_size(), 18);

  // Durable across a restart, and the store is sound.
  absl::StatusOr<int> stopped = daemon_->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(testing::SqliteIntegrityCheck(daemon_->data_dir() / "labelloop.db"), "ok");
  ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
  EXPECT_EQ(acknowledged_.size(), 5u);
  ExpectAcknowledgedLabels();
}

TEST_F(FullDiskTest, RoundThatCannotWriteItsVersionFailsAndTheServingModelStays) {
  LabelImages(8);
  const v1::Job first = RunRound();
  ASSERT_EQ(first.state(), v1::JOB_STATE_SUCCEEDED) << first.error();
  const std::string serving = Models().serving_version();
  ASSERT_FALSE(serving.empty()) << "the first round's version was not promoted";
  LabelImages(2);

  // Room for the store's writes (job state: its log and file are far below a few MB), not for a
  // version's weights.
  const uintmax_t weights =
      fs::file_size(daemon_->data_dir() / "models" / serving / "weights.safetensors");
  ASSERT_GT(weights, 4u << 20);
  LimitFileSize(weights / 2);
  const v1::Job failed = RunRound();
  EXPECT_EQ(failed.state(), v1::JOB_STATE_FAILED);
  EXPECT_TRUE(absl::StrContains(failed.error(), "full")) << failed.error();
  EXPECT_TRUE(absl::StrContains(failed.error(), (daemon_->data_dir() / "models").string()))
      << failed.error();
  EXPECT_EQ(Models().serving_version(), serving);
  EXPECT_TRUE(TemporaryFiles(daemon_->data_dir()).empty())
      << TemporaryFiles(daemon_->data_dir())[0];

  // The serving model still answers; with space again, the next round writes its version.
  v1::ModelService::Stub models(daemon_->NewChannel());
  v1::PredictRequest predict;
  predict.set_image_data(testing::EncodeTestBmp(48, 48, 4242));
  v1::PredictResponse predicted;
  const grpc::Status status = models.Predict(Rpc(absl::Seconds(60)).get(), predict, &predicted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(predicted.model_version(), serving);
  FreeSpace();
  const v1::Job after = RunRound();
  EXPECT_EQ(after.state(), v1::JOB_STATE_SUCCEEDED) << after.error();
  EXPECT_FALSE(after.result_version().empty());
  ExpectAcknowledgedLabels();
}

}  // namespace
}  // namespace labelloop
