#include "common/image_validation.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/durable_file.h"
#include "common/image_header.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

std::string BccdImage() {
  absl::StatusOr<std::string> bytes = ReadFileLimited(
      std::string(LABELLOOP_DATASETS_DIR) + "/bccd/JPEGImages/BloodImage_00000.jpg", 1 << 24);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.value_or("");
}

std::string EncodePng(int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(10, 20, 30));
  std::vector<uchar> png;
  cv::imencode(".png", image, png);
  return std::string(png.begin(), png.end());
}

TEST(ImageValidationTest, AcceptsARealJpeg) {
  absl::StatusOr<ImageInfo> info = ValidateEncodedImage(BccdImage(), ImageLimits{});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 640);
  EXPECT_EQ(info->height, 480);
}

TEST(ImageValidationTest, HeaderDimensionsMatchTheDecoder) {
  std::optional<ImageDimensions> jpeg = ReadImageDimensions(BccdImage());
  ASSERT_TRUE(jpeg.has_value());
  EXPECT_EQ(jpeg->width, 640);
  EXPECT_EQ(jpeg->height, 480);
  std::optional<ImageDimensions> png = ReadImageDimensions(EncodePng(33, 17));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ(png->width, 33);
  EXPECT_EQ(png->height, 17);
  EXPECT_FALSE(ReadImageDimensions("GIF89a....").has_value());
}

TEST(ImageValidationTest, RefusesEmptyAndUndecodable) {
  EXPECT_THAT(ValidateEncodedImage("", ImageLimits{}).status().message(), HasSubstr("empty"));
  absl::Status status = ValidateEncodedImage("this is a text file", ImageLimits{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not a decodable image"));
  // A JPEG cut short keeps a valid header but cannot be decoded... or decodes partially; either
  // way it must not crash. A JPEG with only its header must be refused.
  std::string jpeg = BccdImage();
  EXPECT_FALSE(ValidateEncodedImage(jpeg.substr(0, 200), ImageLimits{}).ok());
}

TEST(ImageValidationTest, RefusesOverByteLimit) {
  ImageLimits limits;
  limits.max_bytes = 1000;
  absl::Status status = ValidateEncodedImage(BccdImage(), limits).status();
  EXPECT_THAT(status.message(), HasSubstr("over the limit of 1000 bytes"));
}

TEST(ImageValidationTest, RefusesOverPixelLimit) {
  ImageLimits limits;
  limits.max_pixels = 640 * 480 - 1;
  absl::Status status = ValidateEncodedImage(BccdImage(), limits).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("640x480"));
}

TEST(ImageValidationTest, RefusesDecompressionBombFromItsHeader) {
  // A PNG header claiming 100000x100000 pixels followed by garbage: refused from the header.
  std::string png = EncodePng(4, 4);
  auto put32 = [&](size_t at, uint32_t v) {
    png[at] = static_cast<char>(v >> 24);
    png[at + 1] = static_cast<char>(v >> 16);
    png[at + 2] = static_cast<char>(v >> 8);
    png[at + 3] = static_cast<char>(v);
  };
  put32(16, 100000);
  put32(20, 100000);
  absl::Status status = ValidateEncodedImage(png, ImageLimits{}).status();
  EXPECT_THAT(status.message(), HasSubstr("100000x100000"));
}

TEST(ImageValidationTest, RefusesFormatsWhoseSizeIsNotReadBeforeDecoding) {
  // OpenCV decodes PPM, but its size is not checked before the decoder allocates: refused.
  cv::Mat image(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
  std::vector<uchar> ppm;
  ASSERT_TRUE(cv::imencode(".ppm", image, ppm));
  absl::Status status =
      ValidateEncodedImage(std::string(ppm.begin(), ppm.end()), ImageLimits{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("expected JPEG, PNG, BMP, TIFF or WebP"));
}

TEST(ImageValidationTest, RefusesJpegBombBehindStrayBytesFromItsHeader) {
  // The fuzzer's find: stray bytes after a table hid a 15744x57345 frame header from the
  // header check, and OpenCV allocated 2.7 GB. Now it is read and refused before decoding.
  absl::StatusOr<std::string> bomb = ReadFileLimited(
      std::string(LABELLOOP_SOURCE_DIR) + "/fuzz/corpus/image/jpeg_frame_header_behind_garbage",
      1 << 20);
  ASSERT_TRUE(bomb.ok()) << bomb.status();
  absl::Status status = ValidateEncodedImage(*bomb, ImageLimits{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("over the limit"));
}

TEST(ImageValidationTest, RefusesHeaderWhosePixelCountOverflows64Bits) {
  // 0xFFFFFFFF x 0xFFFFFFFF overflows int64 (the fuzzer found it): still a clear refusal,
  // with the true pixel count.
  std::string png = EncodePng(4, 4);
  for (size_t at = 16; at < 24; ++at) png[at] = static_cast<char>(0xFF);
  absl::Status status = ValidateEncodedImage(png, ImageLimits{}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("4294967295x4294967295 = 18446744065119617025 pixels"));
}

}  // namespace
}  // namespace labelloop
