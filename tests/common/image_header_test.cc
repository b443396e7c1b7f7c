#include "common/image_header.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

std::string Encode(const std::string& extension, int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(10, 20, 30));
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes)) << extension;
  return std::string(bytes.begin(), bytes.end());
}

struct FormatCase {
  std::string extension;
  ImageFormat format;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.extension; }

class ImageHeaderFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ImageHeaderFormatTest, SizeFromTheHeaderMatchesTheDecoder) {
  const std::string bytes = Encode(GetParam().extension, 37, 19);
  EXPECT_EQ(SniffImageFormat(bytes), GetParam().format);
  std::optional<ImageDimensions> dims = ReadImageDimensions(bytes);
  ASSERT_TRUE(dims.has_value());
  cv::Mat decoded = cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(dims->width, decoded.cols);
  EXPECT_EQ(dims->height, decoded.rows);
  EXPECT_EQ(dims->width, 37);
  EXPECT_EQ(dims->height, 19);
}

INSTANTIATE_TEST_SUITE_P(EveryAcceptedFormat, ImageHeaderFormatTest,
                         ::testing::Values(FormatCase{".jpg", ImageFormat::kJpeg},
                                           FormatCase{".png", ImageFormat::kPng},
                                           FormatCase{".bmp", ImageFormat::kBmp},
                                           FormatCase{".tiff", ImageFormat::kTiff},
                                           FormatCase{".webp", ImageFormat::kWebp}),
                         [](const ::testing::TestParamInfo<FormatCase>& info) {
                           return std::string(ImageFormatName(info.param.format));
                         });

TEST(ImageHeaderTest, LosslessWebpSizeFromTheHeader) {
  cv::Mat image(23, 41, CV_8UC3, cv::Scalar(1, 2, 3));
  std::vector<uchar> bytes;
  // Quality above 100 selects VP8L, the lossless bitstream, whose header differs from VP8's.
  ASSERT_TRUE(cv::imencode(".webp", image, bytes, {cv::IMWRITE_WEBP_QUALITY, 101}));
  const std::string webp(bytes.begin(), bytes.end());
  ASSERT_EQ(webp.substr(12, 4), "VP8L");
  std::optional<ImageDimensions> dims = ReadImageDimensions(webp);
  ASSERT_TRUE(dims.has_value());
  EXPECT_EQ(dims->width, 41);
  EXPECT_EQ(dims->height, 23);
}

TEST(ImageHeaderTest, TopDownBmpHeightIsPositive) {
  std::string bmp = Encode(".bmp", 8, 6);
  // Height -6: rows stored top-down.
  const int32_t top_down = -6;
  for (int i = 0; i < 4; ++i) bmp[22 + i] = static_cast<char>((top_down >> (8 * i)) & 0xFF);
  std::optional<ImageDimensions> dims = ReadImageDimensions(bmp);
  ASSERT_TRUE(dims.has_value());
  EXPECT_EQ(dims->height, 6);
}

TEST(ImageHeaderTest, JpegFrameHeaderBehindStrayBytesIsFound) {
  // libjpeg skips bytes that are not a marker and finds the frame header behind them; the header
  // reader must find the same one, or a bomb hidden this way reaches the decoder (the fuzzer
  // found one that made OpenCV allocate 2.7 GB).
  const std::string jpeg = Encode(".jpg", 37, 19);
  // Stray bytes (a stuffed zero among them) after the first segment, SOI(2) APP0 marker(2) and
  // its length.
  const size_t after_app0 =
      4 + ((static_cast<uint8_t>(jpeg[4]) << 8) | static_cast<uint8_t>(jpeg[5]));
  const std::string garbled =
      jpeg.substr(0, after_app0) + std::string("\x12\x34\xFF\x00\x56", 5) + jpeg.substr(after_app0);
  cv::Mat decoded =
      cv::imdecode(std::vector<uchar>(garbled.begin(), garbled.end()), cv::IMREAD_COLOR);
  ASSERT_EQ(decoded.cols, 37);  // The decoder reads it.
  std::optional<ImageDimensions> dims = ReadImageDimensions(garbled);
  ASSERT_TRUE(dims.has_value());
  EXPECT_EQ(dims->width, 37);
  EXPECT_EQ(dims->height, 19);
}

TEST(ImageHeaderTest, JpegWithoutFrameHeaderBeforeTheScanHasNoSize) {
  // SOI, then start of scan: no frame header, nothing the decoder could size either.
  const std::string jpeg("\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 12);
  EXPECT_FALSE(ReadImageDimensions(jpeg).has_value());
}

TEST(ImageHeaderTest, OtherFormatsAndTruncatedHeadersHaveNoSize) {
  EXPECT_EQ(SniffImageFormat("P6\n4 4\n255\n"), ImageFormat::kUnknown);
  EXPECT_FALSE(ReadImageDimensions("P6\n4 4\n255\n").has_value());
  EXPECT_FALSE(ReadImageDimensions("").has_value());
  // Every prefix of every format's file, down to its first byte (the fuzzer found "RIFF" alone).
  for (const std::string extension : {".jpg", ".png", ".bmp", ".tiff", ".webp"}) {
    const std::string bytes = Encode(extension, 5, 5);
    for (size_t n = 0; n < 32; ++n) ReadImageDimensions(bytes.substr(0, n));
  }
  for (const std::string extension : {".png", ".bmp", ".tiff", ".webp"}) {
    const std::string bytes = Encode(extension, 5, 5);
    EXPECT_FALSE(ReadImageDimensions(bytes.substr(0, 11)).has_value()) << extension;
  }
}

}  // namespace
}  // namespace labelloop
