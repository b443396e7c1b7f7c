#include "inference/pth_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "inference/checkpoint.h"
#include "inference/safetensors.h"
#include "tests/inference/checkpoint/fixtures_dir.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

// The tensors checkpoint_fixtures.py saved, read from the safetensors copy it wrote by hand.
const NamedTensors& Reference() {
  static const auto* const reference = [] {
    auto read = ReadSafetensors(FixturePath("reference.safetensors"));
    EXPECT_TRUE(read.ok()) << read.status();
    return new NamedTensors(read.ok() ? read->tensors : NamedTensors{});
  }();
  return *reference;
}

void ExpectBitExact(const NamedTensors& got, const NamedTensors& want) {
  ASSERT_EQ(got.size(), want.size());
  ASSERT_GT(got.size(), 100u);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].first, want[i].first) << i;
    EXPECT_EQ(got[i].second.scalar_type(), want[i].second.scalar_type()) << want[i].first;
    EXPECT_TRUE(torch::equal(got[i].second, want[i].second)) << want[i].first;
  }
}

TEST(PthReaderTest, ReadsZipFormatInTorchvisionOrder) {
  auto tensors = ReadPth(FixturePath("new.pth"));
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  EXPECT_EQ((*tensors)[0].first, "backbone.body.conv1.weight");
  ExpectBitExact(*tensors, Reference());
}

TEST(PthReaderTest, ReadsLegacyFormat) {
  auto tensors = ReadPth(FixturePath("legacy.pth"));
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ExpectBitExact(*tensors, Reference());
}

TEST(PthReaderTest, UnwrapsModelKey) {
  auto tensors = ReadPth(FixturePath("wrapped.pth"));
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  ExpectBitExact(*tensors, Reference());
}

TEST(PthReaderTest, OldFpnSpellingLoadsAsNewAfterNormalising) {
  auto raw = ReadPth(FixturePath("old.pth"));
  ASSERT_TRUE(raw.ok()) << raw.status();
  bool has_old_key = false;
  for (const auto& [name, tensor] : *raw) {
    has_old_key |= name == "backbone.fpn.inner_blocks.0.weight";
  }
  EXPECT_TRUE(has_old_key) << "fixture should use the old spelling";
  auto checkpoint = LoadCheckpoint(FixturePath("old.pth"));
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->format, CheckpointFormat::kPth);
  EXPECT_TRUE(checkpoint->metadata.empty());
  ExpectBitExact(checkpoint->tensors, Reference());
}

TEST(PthReaderTest, SharedStoragesViewsAndDtypes) {
  auto reference = ReadSafetensors(FixturePath("small.safetensors"));
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const char* file : {"small.pth", "small_legacy.pth"}) {
    SCOPED_TRACE(file);
    auto tensors = ReadPth(FixturePath(file));
    ASSERT_TRUE(tensors.ok()) << tensors.status();
    ASSERT_EQ(tensors->size(), reference->tensors.size());
    for (size_t i = 0; i < tensors->size(); ++i) {
      const auto& [name, tensor] = (*tensors)[i];
      EXPECT_EQ(name, reference->tensors[i].first);
      EXPECT_EQ(tensor.scalar_type(), reference->tensors[i].second.scalar_type()) << name;
      EXPECT_TRUE(torch::equal(tensor, reference->tensors[i].second)) << name;
      EXPECT_TRUE(tensor.is_contiguous()) << name;
    }
    // Views are copied out: changing one tensor must not change another.
    (*tensors)[0].second.fill_(0);
    EXPECT_TRUE(torch::equal((*tensors)[1].second, reference->tensors[1].second));
  }
}

class PthCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pth_reader_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(PthCorruptionTest, TruncatedZipIsRefusedWithPath) {
  const std::string bytes = ReadBytes(FixturePath("new.pth"));
  for (size_t cut : {bytes.size() / 2, bytes.size() - 10, size_t{100}}) {
    WriteBytes(Path("cut.pth"), bytes.substr(0, cut));
    auto tensors = ReadPth(Path("cut.pth"));
    ASSERT_FALSE(tensors.ok()) << cut;
    EXPECT_EQ(tensors.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_THAT(tensors.status().message(),
                HasSubstr("cannot read PyTorch checkpoint " + Path("cut.pth")));
    auto checkpoint = LoadCheckpoint(Path("cut.pth"));
    EXPECT_FALSE(checkpoint.ok());
  }
}

TEST_F(PthCorruptionTest, TruncatedLegacyIsRefused) {
  const std::string bytes = ReadBytes(FixturePath("legacy.pth"));
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1, size_t{3000}, size_t{20}}) {
    WriteBytes(Path("cut.pth"), bytes.substr(0, cut));
    auto tensors = ReadPth(Path("cut.pth"));
    ASSERT_FALSE(tensors.ok()) << cut;
    EXPECT_THAT(tensors.status().message(), HasSubstr(Path("cut.pth"))) << cut;
  }
}

TEST_F(PthCorruptionTest, CorruptedPickleIsRefused) {
  // Flip every byte of a small legacy file (pickles and raw storages): every outcome must be a
  // clean error or a successful read, never a crash or an out-of-bounds read.
  const std::string bytes = ReadBytes(FixturePath("small_legacy.pth"));
  ASSERT_LT(bytes.size(), 5000u);
  for (size_t at = 0; at < bytes.size(); ++at) {
    std::string corrupt = bytes;
    corrupt[at] = static_cast<char>(corrupt[at] ^ 0x5a);
    WriteBytes(Path("bad.pth"), corrupt);
    auto tensors = ReadPth(Path("bad.pth"));
    if (!tensors.ok()) {
      EXPECT_THAT(tensors.status().message(), HasSubstr(Path("bad.pth")));
    }
  }
}

TEST_F(PthCorruptionTest, CorruptedZipIsRefused) {
  const std::string bytes = ReadBytes(FixturePath("small.pth"));
  ASSERT_LT(bytes.size(), 10000u);
  for (size_t at = 0; at < bytes.size(); at += 3) {
    std::string corrupt = bytes;
    corrupt[at] = static_cast<char>(corrupt[at] ^ 0x5a);
    WriteBytes(Path("bad.pth"), corrupt);
    auto tensors = ReadPth(Path("bad.pth"));
    if (!tensors.ok()) {
      EXPECT_THAT(tensors.status().message(), HasSubstr(Path("bad.pth")));
    }
  }
}

TEST_F(PthCorruptionTest, MissingFileIsNotFound) {
  auto tensors = ReadPth(Path("missing.pth"));
  EXPECT_EQ(tensors.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tensors.status().message(), HasSubstr(Path("missing.pth")));
  auto checkpoint = LoadCheckpoint(Path("missing.pth"));
  EXPECT_EQ(checkpoint.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PthCorruptionTest, NotAPyTorchFile) {
  WriteBytes(Path("text.pth"), "hello, this is not a checkpoint\n");
  auto tensors = ReadPth(Path("text.pth"));
  EXPECT_THAT(tensors.status().message(), HasSubstr("not a PyTorch file"));
}

}  // namespace
}  // namespace labelloop
