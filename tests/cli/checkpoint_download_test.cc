// `models pull`'s download against a fake ModelService in this process: what arrives is checked
// against the size and sha256 of the first chunk, and only a good file ever lands at the path.

#include "cli/checkpoint_download.h"

#include <grpcpp/grpcpp.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/command_context.h"
#include "cli/sha256_stream.h"
#include "gtest/gtest.h"
#include "labelloop/v1/model.grpc.pb.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

// sha256("abcdef"), the bytes every good stream below carries.
constexpr char kAbcdefSha256[] = "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721";

class FakeModelService final : public v1::ModelService::Service {
 public:
  grpc::Status DownloadCheckpoint(grpc::ServerContext* context,
                                  const v1::DownloadCheckpointRequest* request,
                                  grpc::ServerWriter<v1::CheckpointChunk>* writer) override {
    if (request->version() == "v404") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no model version v404");
    }
    for (const v1::CheckpointChunk& chunk : chunks) writer->Write(chunk);
    return grpc::Status::OK;
  }

  std::vector<v1::CheckpointChunk> chunks;
};

v1::CheckpointChunk Chunk(int64_t offset, const std::string& data) {
  v1::CheckpointChunk chunk;
  chunk.set_offset(offset);
  chunk.set_data(data);
  return chunk;
}

v1::CheckpointChunk FirstChunk(int64_t total_bytes, const std::string& sha256,
                               const std::string& data) {
  v1::CheckpointChunk chunk = Chunk(0, data);
  chunk.set_version("v3");
  chunk.set_file_name("weights.safetensors");
  chunk.set_total_bytes(total_bytes);
  chunk.set_sha256(sha256);
  return chunk;
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class CheckpointDownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    context_.server = "127.0.0.1:" + std::to_string(port);
    context_.channel = grpc::CreateChannel(context_.server, grpc::InsecureChannelCredentials());
    context_.out = &out_;
    context_.err = &err_;
    std::string pattern = (fs::temp_directory_path() / "labelloop-pull-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "pulled.safetensors";
  }

  void TearDown() override {
    server_->Shutdown();
    fs::remove_all(dir_);
  }

  // The download must fail with DATA_LOSS mentioning `words`, leaving neither file behind.
  void ExpectRefused(const std::string& words) {
    absl::StatusOr<DownloadedCheckpoint> downloaded =
        DownloadCheckpointToFile(context_, "v3", path_);
    ASSERT_FALSE(downloaded.ok());
    EXPECT_EQ(downloaded.status().code(), absl::StatusCode::kDataLoss) << downloaded.status();
    EXPECT_TRUE(absl::StrContains(downloaded.status().message(), words)) << downloaded.status();
    EXPECT_FALSE(fs::exists(path_));
    EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
  }

  FakeModelService service_;
  std::unique_ptr<grpc::Server> server_;
  CommandContext context_;
  std::ostringstream out_;
  std::ostringstream err_;
  fs::path dir_;
  fs::path path_;
};

TEST(Sha256StreamTest, MatchesTheKnownDigestWhateverThePieces) {
  Sha256Stream whole;
  whole.Update("abcdef");
  EXPECT_EQ(whole.FinishHex(), kAbcdefSha256);
  Sha256Stream pieces;
  pieces.Update("ab");
  pieces.Update("");
  pieces.Update("cdef");
  EXPECT_EQ(pieces.FinishHex(), kAbcdefSha256);
}

TEST_F(CheckpointDownloadTest, GoodStreamLandsAtThePath) {
  service_.chunks = {FirstChunk(6, kAbcdefSha256, "abc"), Chunk(3, "def")};
  absl::StatusOr<DownloadedCheckpoint> downloaded = DownloadCheckpointToFile(context_, "v3", path_);
  ASSERT_TRUE(downloaded.ok()) << downloaded.status();
  EXPECT_EQ(downloaded->version, "v3");
  EXPECT_EQ(downloaded->file_name, "weights.safetensors");
  EXPECT_EQ(downloaded->bytes, 6);
  EXPECT_EQ(downloaded->sha256, kAbcdefSha256);
  EXPECT_EQ(ReadBytes(path_), "abcdef");
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
}

TEST_F(CheckpointDownloadTest, UppercaseAnnouncedDigestIsTheSameDigest) {
  std::string upper = kAbcdefSha256;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  service_.chunks = {FirstChunk(6, upper, "abcdef")};
  EXPECT_TRUE(DownloadCheckpointToFile(context_, "v3", path_).ok());
}

TEST_F(CheckpointDownloadTest, WrongChecksumIsRefused) {
  service_.chunks = {FirstChunk(6, kAbcdefSha256, "abc"), Chunk(3, "deX")};
  ExpectRefused("sha256");
}

TEST_F(CheckpointDownloadTest, ShortStreamIsRefused) {
  service_.chunks = {FirstChunk(9, kAbcdefSha256, "abc"), Chunk(3, "def")};
  ExpectRefused("incomplete");
}

TEST_F(CheckpointDownloadTest, GapInOffsetsIsRefused) {
  service_.chunks = {FirstChunk(6, kAbcdefSha256, "abc"), Chunk(4, "ef")};
  ExpectRefused("gap");
}

TEST_F(CheckpointDownloadTest, MissingChecksumIsRefused) {
  service_.chunks = {FirstChunk(6, "", "abcdef")};
  ExpectRefused("no sha256");
}

TEST_F(CheckpointDownloadTest, EmptyStreamIsRefused) {
  service_.chunks = {};
  ExpectRefused("no checkpoint data");
}

TEST_F(CheckpointDownloadTest, FailedDownloadLeavesAnExistingFileAlone) {
  std::ofstream(path_) << "previous";
  service_.chunks = {FirstChunk(6, kAbcdefSha256, "abcdeX")};
  absl::StatusOr<DownloadedCheckpoint> downloaded = DownloadCheckpointToFile(context_, "v3", path_);
  EXPECT_FALSE(downloaded.ok());
  EXPECT_EQ(ReadBytes(path_), "previous");
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
}

TEST_F(CheckpointDownloadTest, DaemonErrorKeepsItsCode) {
  absl::StatusOr<DownloadedCheckpoint> downloaded =
      DownloadCheckpointToFile(context_, "v404", path_);
  ASSERT_FALSE(downloaded.ok());
  EXPECT_EQ(downloaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(path_.string() + ".tmp"));
}

TEST_F(CheckpointDownloadTest, UnwritablePathIsAClearError) {
  absl::StatusOr<DownloadedCheckpoint> downloaded =
      DownloadCheckpointToFile(context_, "v3", dir_ / "no-such-dir" / "f.safetensors");
  ASSERT_FALSE(downloaded.ok());
  EXPECT_TRUE(absl::StrContains(downloaded.status().message(), "cannot create"))
      << downloaded.status();
}

}  // namespace
}  // namespace labelloop
