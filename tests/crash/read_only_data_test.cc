// A read-only data folder, over real gRPC: labelloopd refuses to start on one, naming the folder,
// and changes nothing; a blob folder that turns read-only under a running daemon fails uploads
// with a clear error while labels keep being accepted; either way the store stays sound and every
// acknowledged label stays.
//
// How the folder is made read-only: as root (which ignores permission bits), a read-only bind
// mount of the folder onto itself, a real EROFS; as any other user, chmod a-w, a real EACCES.
// Root without CAP_SYS_ADMIN (an unprivileged container) can do neither, and the tests skip.

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "labelloop/v1/queue.grpc.pb.h"
#include "tests/testing/rpc_context.h"
#include "tests/testing/store_integrity.h"
#include "tests/testing/test_daemon.h"
#include "tests/testing/test_images.h"

namespace labelloop {
namespace {

using ::labelloop::testing::Rpc;

namespace fs = std::filesystem;

// Makes a folder read-only for the daemon until destroyed (or Undo). `error` says why it could
// not, for the skip message.
class ReadOnlyFolder {
 public:
  explicit ReadOnlyFolder(fs::path dir) : dir_(std::move(dir)) {
    if (::geteuid() != 0) {
      struct stat st;
      if (::stat(dir_.c_str(), &st) != 0 || ::chmod(dir_.c_str(), 0555) != 0) {
        error_ = absl::StrCat("chmod ", dir_.string(), ": ", std::strerror(errno));
        return;
      }
      old_mode_ = st.st_mode & 07777;
      how_ = How::kChmod;
      return;
    }
    if (::mount(dir_.c_str(), dir_.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      error_ = absl::StrCat("running as root, and a bind mount of ", dir_.string(),
                            " failed (no CAP_SYS_ADMIN?): ", std::strerror(errno));
      return;
    }
    how_ = How::kMount;
    if (::mount(nullptr, dir_.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      error_ = absl::StrCat("remounting ", dir_.string(), " read-only: ", std::strerror(errno));
      Undo();
    }
  }
  ~ReadOnlyFolder() { Undo(); }

  bool ok() const { return how_ != How::kNone; }
  const std::string& error() const { return error_; }
  // "Read-only file system" or "Permission denied": what the daemon will be told.
  std::string Reason() const {
    return how_ == How::kMount ? std::strerror(EROFS) : std::strerror(EACCES);
  }
  void Undo() {
    if (how_ == How::kMount) ::umount2(dir_.c_str(), MNT_DETACH);
    if (how_ == How::kChmod) ::chmod(dir_.c_str(), old_mode_);
    how_ = How::kNone;
  }

 private:
  enum class How { kNone, kMount, kChmod };
  fs::path dir_;
  How how_ = How::kNone;
  mode_t old_mode_ = 0;
  std::string error_;
};

class ReadOnlyDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::TestDaemon>> daemon = testing::TestDaemon::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::UpdateClassesRequest classes;
    classes.add_names("cell");
    v1::UpdateClassesResponse reply;
    ASSERT_TRUE(dataset.UpdateClasses(Rpc().get(), classes, &reply).ok());
    ASSERT_TRUE(AddImage(1).ok());
    ASSERT_TRUE(AddImage(2).ok());
    ASSERT_TRUE(AddImage(3).ok());
    LabelOne();
  }

  grpc::Status AddImage(uint32_t seed) {
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    v1::AddImagesResponse added;
    auto context = Rpc();
    auto writer = dataset.AddImages(context.get(), &added);
    v1::AddImagesRequest request;
    request.set_data(testing::EncodeTestBmp(40, 40, seed));
    request.set_name(absl::StrCat("ro", seed, ".bmp"));
    writer->Write(request);
    writer->WritesDone();
    return writer->Finish();
  }

  void LabelOne() {
    v1::QueueService::Stub queue(daemon_->NewChannel());
    v1::GetNextBatchRequest request;
    request.set_count(1);
    request.set_annotator("ann");
    v1::GetNextBatchResponse batch;
    ASSERT_TRUE(queue.GetNextBatch(Rpc().get(), request, &batch).ok());
    ASSERT_EQ(batch.items_size(), 1);
    v1::SubmitLabelsRequest submit;
    submit.set_image_id(batch.items(0).image_id());
    submit.set_lease_id(batch.items(0).lease_id());
    v1::Box* box = submit.add_boxes();
    box->set_x1(3);
    box->set_y1(4);
    box->set_x2(30);
    box->set_y2(33);
    box->set_class_name("cell");
    v1::SubmitLabelsResponse reply;
    const grpc::Status status = queue.SubmitLabels(Rpc().get(), submit, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
    labeled_.push_back(batch.items(0).image_id());
  }

  void ExpectLabelsThere() {
    v1::DatasetService::Stub dataset(daemon_->NewChannel());
    for (int64_t image_id : labeled_) {
      v1::GetImageRequest request;
      request.set_image_id(image_id);
      v1::GetImageResponse reply;
      ASSERT_TRUE(dataset.GetImage(Rpc().get(), request, &reply).ok());
      ASSERT_TRUE(reply.has_label()) << "label of image " << image_id << " lost";
      EXPECT_EQ(reply.label().boxes_size(), 1);
    }
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  std::vector<int64_t> labeled_;
};

TEST_F(ReadOnlyDataTest, RefusesToStartNamingTheFolderAndChangesNothing) {
  ASSERT_TRUE(daemon_->Stop().ok());
  const fs::path db = daemon_->data_dir() / "labelloop.db";
  const auto db_size = fs::file_size(db);
  const auto db_time = fs::last_write_time(db);
  {
    ReadOnlyFolder read_only(daemon_->data_dir());
    if (!read_only.ok()) GTEST_SKIP() << "cannot make a folder read-only: " << read_only.error();
    const absl::Status started = daemon_->Restart();
    ASSERT_FALSE(started.ok()) << "labelloopd started on a read-only data folder";
    const std::string log = daemon_->Log();
    EXPECT_TRUE(absl::StrContains(log, "data folder not usable")) << log;
    EXPECT_TRUE(absl::StrContains(
        log, absl::StrCat("folder ", daemon_->data_dir().string(), " is not writable")))
        << log;
    EXPECT_TRUE(absl::StrContains(log, read_only.Reason())) << log;
  }
  EXPECT_EQ(fs::file_size(db), db_size);
  EXPECT_TRUE(fs::last_write_time(db) == db_time);
  EXPECT_EQ(testing::SqliteIntegrityCheck(db), "ok");
  // Writable again: it starts, with everything there.
  ASSERT_TRUE(daemon_->Restart().ok()) << daemon_->Log();
  ExpectLabelsThere();
  LabelOne();
}

TEST_F(ReadOnlyDataTest, BlobFolderTurnedReadOnlyFailsUploadsClearlyAndLabelsGoOn) {
  const fs::path blobs = daemon_->data_dir() / "blobs";
  ReadOnlyFolder read_only(blobs);
  if (!read_only.ok()) GTEST_SKIP() << "cannot make a folder read-only: " << read_only.error();
  const grpc::Status status = AddImage(77);
  EXPECT_EQ(status.error_code(),
            ::geteuid() == 0 ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), blobs.string())) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), read_only.Reason()))
      << status.error_message();
  // Labels live in the store, which is still writable.
  LabelOne();
  ExpectLabelsThere();

  read_only.Undo();
  EXPECT_TRUE(AddImage(77).ok());
  ASSERT_TRUE(daemon_->Stop().ok());
  EXPECT_EQ(testing::SqliteIntegrityCheck(daemon_->data_dir() / "labelloop.db"), "ok");
}

}  // namespace
}  // namespace labelloop
