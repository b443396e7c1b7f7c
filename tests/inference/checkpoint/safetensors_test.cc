#include "inference/safetensors.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/inference/checkpoint/fixtures_dir.h"

namespace labelloop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("safetensors_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

NamedTensors SampleTensors() {
  torch::manual_seed(3);
  return {
      {"backbone.body.conv1.weight", torch::randn({4, 3, 3, 3})},
      {"a.scalar", torch::tensor(2.5f)},
      {"counts", torch::arange(7, torch::kLong)},
      {"half", torch::randn({5}).to(torch::kHalf)},
      {"empty", torch::zeros({0, 4})},
      // A non-contiguous view must be written as its values, not its storage.
      {"transposed", torch::arange(6, torch::kFloat).reshape({2, 3}).t()},
  };
}

TEST_F(SafetensorsTest, RoundTripIsBitExactWithMetadata) {
  const NamedTensors tensors = SampleTensors();
  const SafetensorsMetadata metadata = {
      {"class_names", "[\"RBC\",\"WBC\"]"}, {"config", "line 1\nline \"2\""}, {"empty", ""}};
  ASSERT_TRUE(WriteSafetensors(Path("w.safetensors"), tensors, metadata).ok());
  auto read = ReadSafetensors(Path("w.safetensors"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->metadata, metadata);
  ASSERT_EQ(read->tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(read->tensors[i].first, tensors[i].first);  // file order is write order
    EXPECT_EQ(read->tensors[i].second.scalar_type(), tensors[i].second.scalar_type());
    EXPECT_EQ(read->tensors[i].second.sizes(), tensors[i].second.sizes());
    EXPECT_TRUE(torch::equal(read->tensors[i].second, tensors[i].second)) << tensors[i].first;
  }
  // The header is padded so that tensor data starts 8-byte aligned, as the reference writer.
  const std::string bytes = ReadBytes(Path("w.safetensors"));
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  EXPECT_EQ(header_size % 8, 0u);
  // No temporary file is left behind.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    files.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(files, ElementsAre("w.safetensors"));
}

TEST_F(SafetensorsTest, SerializeMatchesWrittenFile) {
  auto bytes = SerializeSafetensors(SampleTensors(), {{"k", "v"}});
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(WriteSafetensors(Path("w.safetensors"), SampleTensors(), {{"k", "v"}}).ok());
  EXPECT_EQ(*bytes, ReadBytes(Path("w.safetensors")));
}

TEST_F(SafetensorsTest, OverwriteReplacesWholeFile) {
  ASSERT_TRUE(WriteSafetensors(Path("w.safetensors"), SampleTensors(), {}).ok());
  ASSERT_TRUE(WriteSafetensors(Path("w.safetensors"), {{"x", torch::ones({2})}}, {}).ok());
  auto read = ReadSafetensors(Path("w.safetensors"));
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->tensors.size(), 1u);
  EXPECT_EQ(read->tensors[0].first, "x");
}

TEST_F(SafetensorsTest, ReadsEveryDtypePythonWrites) {
  auto read = ReadSafetensors(FixturePath("dtypes.safetensors"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->metadata, ElementsAre(Pair("k", "v")));
  const std::vector<std::pair<std::string, torch::Dtype>> expected = {
      {"F64", torch::kDouble},    {"F32", torch::kFloat}, {"F16", torch::kHalf},
      {"BF16", torch::kBFloat16}, {"I64", torch::kLong},  {"I32", torch::kInt},
      {"I16", torch::kShort},     {"I8", torch::kChar},   {"U8", torch::kByte}};
  ASSERT_EQ(read->tensors.size(), expected.size() + 2);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, tensor] = read->tensors[i];
    EXPECT_EQ(name, expected[i].first);
    EXPECT_EQ(tensor.scalar_type(), expected[i].second) << name;
    EXPECT_TRUE(torch::equal(tensor.to(torch::kLong), torch::arange(6).reshape({2, 3}))) << name;
  }
  EXPECT_EQ(read->tensors[9].first, "BOOL");
  EXPECT_TRUE(torch::equal(read->tensors[9].second, torch::arange(6).reshape({2, 3}).ne(0)));
  EXPECT_EQ(read->tensors[10].first, "empty");
  EXPECT_EQ(read->tensors[10].second.sizes(), (std::vector<int64_t>{0, 3}));
}

TEST_F(SafetensorsTest, TruncatedFileNamesPathAndFirstBadTensor) {
  const NamedTensors tensors = {{"z_first", torch::ones({16})},
                                {"b_second", torch::ones({64})},
                                {"a_third", torch::ones({64})}};
  auto bytes = SerializeSafetensors(tensors, {});
  ASSERT_TRUE(bytes.ok());
  WriteBytes(Path("cut.safetensors"), bytes->substr(0, bytes->size() / 2));
  auto read = ReadSafetensors(Path("cut.safetensors"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr(Path("cut.safetensors")));
  // "b_second" is the first tensor whose data is past the cut; the header (a JSON object) lists
  // "a_third" first, so this also checks that errors follow data order.
  EXPECT_THAT(read.status().message(), HasSubstr("tensor \"b_second\""));
  EXPECT_THAT(read.status().message(), HasSubstr("truncated"));
}

TEST_F(SafetensorsTest, TruncatedInsideHeader) {
  auto bytes = SerializeSafetensors(SampleTensors(), {});
  ASSERT_TRUE(bytes.ok());
  for (size_t cut : {size_t{0}, size_t{5}, size_t{8}, size_t{40}}) {
    WriteBytes(Path("cut.safetensors"), bytes->substr(0, cut));
    auto read = ReadSafetensors(Path("cut.safetensors"));
    ASSERT_FALSE(read.ok()) << cut;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_THAT(read.status().message(), HasSubstr("cut.safetensors")) << cut;
  }
}

TEST_F(SafetensorsTest, CorruptHeadersAreRefused) {
  auto make = [](const std::string& json, size_t data_bytes) {
    std::string out(8, '\0');
    const uint64_t n = json.size();
    std::memcpy(out.data(), &n, 8);
    return out + json + std::string(data_bytes, '\0');
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {make("not json", 0), "not a JSON object"},
      {make("{\"a\": ", 0), "not valid JSON"},
      {make(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4), "need 8"},
      {make(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", 8), "unsupported dtype"},
      {make(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4), "shape"},
      {make(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "gap"},
      {make(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
            4),
       "overlaps"},
      {make(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 12), "belong to no"},
      {make(R"({"__metadata__":{"k":1}})", 0), "metadata \"k\" is not a string"},
      {std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8), "implausible"},
  };
  for (const auto& [bytes, message] : cases) {
    auto parsed = ParseSafetensors(bytes);
    ASSERT_FALSE(parsed.ok()) << message;
    EXPECT_THAT(parsed.status().message(), HasSubstr(message));
  }
}

TEST_F(SafetensorsTest, MissingFileIsNotFound) {
  auto read = ReadSafetensors(Path("nope.safetensors"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr(Path("nope.safetensors")));
}

TEST_F(SafetensorsTest, WriteIntoMissingFolderFailsCleanly) {
  absl::Status status = WriteSafetensors(Path("no/such/dir/w.safetensors"), SampleTensors(), {});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("w.safetensors"));
}

TEST_F(SafetensorsTest, RefusesUnstorableInput) {
  EXPECT_THAT(
      WriteSafetensors(Path("w"), {{"c", torch::zeros({2}, torch::kComplexFloat)}}, {}).message(),
      HasSubstr("safetensors cannot store"));
  EXPECT_THAT(WriteSafetensors(Path("w"), {{"x", torch::zeros({1})}, {"x", torch::zeros({1})}}, {})
                  .message(),
              HasSubstr("duplicate tensor name \"x\""));
  EXPECT_FALSE(std::filesystem::exists(Path("w")));
}

}  // namespace
}  // namespace labelloop
