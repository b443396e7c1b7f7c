#include "common/durable_file.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/temp_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

TEST(DurableFileTest, WritesAndReplacesWholeFiles) {
  TempDir dir;
  std::string path = dir.path() + "/file.bin";
  ASSERT_TRUE(WriteFileDurably(path, "first").ok());
  ASSERT_TRUE(WriteFileDurably(path, std::string("sec\0ond", 7)).ok());
  absl::StatusOr<std::string> read = ReadFileLimited(path, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, std::string("sec\0ond", 7));
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(DurableFileTest, ReadRefusesFilesOverTheLimitWithoutReading) {
  TempDir dir;
  std::string path = dir.path() + "/big";
  ASSERT_TRUE(WriteFileDurably(path, std::string(1000, 'x')).ok());
  absl::Status status = ReadFileLimited(path, 999).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("1000 bytes"));
}

TEST(DurableFileTest, MissingFileAndFolderAreClearErrors) {
  TempDir dir;
  EXPECT_EQ(ReadFileLimited(dir.path() + "/none", 10).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadFileLimited(dir.path(), 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace labelloop
