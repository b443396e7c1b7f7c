// The COCO, VOC and YOLO readers and writers on hand-written files: what each keeps, what it
// drops and notes, clear errors for files that are not of the format, and write -> read
// round trips.
#include <filesystem>
#include <fstream>
#include <string>

#include "formats/coco_format.h"
#include "formats/text_file.h"
#include "formats/voc_format.h"
#include "formats/yolo_format.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;

ImportOptions NoFileChecks() {
  ImportOptions options;
  options.check_image_files = false;
  return options;
}

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("formats_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& relative, const std::string& text) {
    ASSERT_TRUE(WriteTextFile((dir_ / relative).string(), text).ok());
  }
  fs::path dir_;
};

// A 1x1 PNG header claiming `width` x `height`: enough for the YOLO reader's size check.
std::string PngHeader(uint32_t width, uint32_t height) {
  std::string bytes("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (uint32_t v : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(v >> shift));
  }
  bytes.append("\x08\x02\0\0\0", 5);
  return bytes;
}

constexpr char kCoco[] = R"({
  "images": [{"id": 7, "file_name": "a.jpg", "width": 100, "height": 50},
             {"id": 8, "file_name": "b.jpg", "width": 100, "height": 50},
             {"id": 9}],
  "categories": [{"id": 0, "name": "cat"}, {"id": 1, "name": "dog"}],
  "annotations": [
    {"id": 1, "image_id": 7, "category_id": 0, "bbox": [10, 5, 20, 10]},
    {"id": 2, "image_id": 7, "category_id": 1, "bbox": [90, 40, 20, 20], "score": 0.5},
    {"id": 3, "image_id": 7, "category_id": 5, "bbox": [1, 1, 5, 5]},
    {"id": 4, "image_id": 99, "category_id": 1, "bbox": [1, 1, 5, 5]},
    {"id": 5, "image_id": 7, "category_id": 1, "bbox": [1, 1, 1, 2]},
    {"id": 6, "image_id": 7, "category_id": 1, "bbox": [200, 1, 5, 5]},
    {"id": 7, "image_id": 7, "category_id": 1, "bbox": [1, 1, 5]},
    {"id": 8, "image_id": 7, "category_id": 1, "bbox": [1, 1, 5, 5], "iscrowd": 1}
  ]})";

TEST(CocoFormat, KeepsGoodEntriesAndNotesEveryBadOne) {
  ImportReport report;
  absl::StatusOr<FormatDataset> dataset = ParseCocoJson(kCoco, "/imgs", NoFileChecks(), &report);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->class_names, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_EQ(dataset->images[0].path, "/imgs/a.jpg");
  ASSERT_EQ(dataset->images[0].boxes.size(), 2u);
  const FormatBox& cat = dataset->images[0].boxes[0];
  EXPECT_EQ(cat.class_name, "cat");
  EXPECT_DOUBLE_EQ(cat.x1, 10);
  EXPECT_DOUBLE_EQ(cat.y2, 15);
  EXPECT_FALSE(cat.score.has_value());
  // Clipped at the image's edge, score kept.
  const FormatBox& dog = dataset->images[0].boxes[1];
  EXPECT_DOUBLE_EQ(dog.x2, 100);
  EXPECT_DOUBLE_EQ(dog.y2, 50);
  EXPECT_DOUBLE_EQ(*dog.score, 0.5);
  EXPECT_EQ(report.Count(ImportIssue::kCategoryIdsFromZero), 1);
  EXPECT_EQ(report.Count(ImportIssue::kUnknownCategory), 1);
  EXPECT_EQ(report.Count(ImportIssue::kUnknownImage), 1);
  EXPECT_EQ(report.Count(ImportIssue::kDegenerateBox), 1);
  EXPECT_EQ(report.Count(ImportIssue::kBoxOutsideImage), 1);
  EXPECT_EQ(report.Count(ImportIssue::kBoxClipped), 1);
  EXPECT_EQ(report.Count(ImportIssue::kCrowdRegion), 1);
  // images[2] (no file_name) and annotations[6] (3 numbers).
  EXPECT_EQ(report.Count(ImportIssue::kMalformedEntry), 2);
  EXPECT_EQ(report.Count(ImportIssue::kImageWithoutAnnotations), 1);
  EXPECT_NE(report.ToJson().find("\"unknown_category\":1"), std::string::npos) << report.ToJson();
}

TEST(CocoFormat, NotCocoIsAnErrorNamingTheField) {
  ImportReport report;
  EXPECT_EQ(ParseCocoJson("{", "", NoFileChecks(), &report).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status status = ParseCocoJson(R"({"images": []})", "", NoFileChecks(), &report).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("categories"), std::string::npos) << status;
  status =
      ParseCocoJson(R"({"images": {}, "categories": []})", "", NoFileChecks(), &report).status();
  EXPECT_NE(status.message().find("images"), std::string::npos) << status;
  status = ParseCocoJson("[1, 2]", "", NoFileChecks(), &report).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(CocoFormat, WriteThenReadKeepsBoxesAndScores) {
  FormatDataset dataset;
  dataset.class_names = {"cat", "dog"};
  dataset.images.push_back({"/x/a.jpg", "a.jpg", 640, 480, {{1.5, 2.25, 100, 200, "dog", 0.75}}});
  dataset.images.push_back({"/x/b.jpg", "b.jpg", 640, 480, {}});
  ImportReport report;
  absl::StatusOr<FormatDataset> back =
      ParseCocoJson(CocoJson(dataset), "/x", NoFileChecks(), &report);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->class_names, dataset.class_names);
  ASSERT_EQ(back->images.size(), 2u);
  EXPECT_EQ(back->images[0].path, "/x/a.jpg");
  ASSERT_EQ(back->images[0].boxes.size(), 1u);
  const FormatBox& box = back->images[0].boxes[0];
  EXPECT_DOUBLE_EQ(box.x1, 1.5);
  EXPECT_DOUBLE_EQ(box.y1, 2.25);
  EXPECT_DOUBLE_EQ(box.x2, 100);
  EXPECT_DOUBLE_EQ(box.y2, 200);
  EXPECT_DOUBLE_EQ(*box.score, 0.75);
  EXPECT_TRUE(back->images[1].boxes.empty());
}

TEST_F(ScratchDir, CocoFileMissingImagesAreDroppedAndNoted) {
  Write("ann/coco.json", kCoco);
  Write("ann/a.jpg", "not checked here");
  ImportReport report;
  absl::StatusOr<FormatDataset> dataset =
      ReadCocoFile((dir_ / "ann" / "coco.json").string(), ImportOptions(), &report);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->images.size(), 1u);  // b.jpg is missing
  EXPECT_EQ(fs::path(dataset->images[0].path), dir_ / "ann" / "a.jpg");
  EXPECT_EQ(report.Count(ImportIssue::kMissingImageFile), 1);
  EXPECT_EQ(ReadCocoFile((dir_ / "none.json").string(), ImportOptions(), &report).status().code(),
            absl::StatusCode::kNotFound);
}

constexpr char kVoc[] = R"(<annotation>
  <filename>img &amp; co.jpg</filename>
  <size><width>640</width><height>480</height><depth>3</depth></size>
  <object><name>RBC</name><difficult>1</difficult>
    <bndbox><xmin>1</xmin><ymin>11</ymin><xmax>640</xmax><ymax>480</ymax></bndbox></object>
  <object><name>WBC</name>
    <bndbox><xmin>504</xmin><ymin>337</ymin><xmax>504</xmax><ymax>337</ymax></bndbox></object>
  <object><name>WBC</name><bndbox><xmin>x</xmin></bndbox></object>
  <object><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>
</annotation>)";

TEST(VocFormat, OneBasedInclusivePixelsBecomeCornersAndBadObjectsAreNoted) {
  FormatDataset dataset;
  ImportReport report;
  ASSERT_TRUE(ParseVocXml(kVoc, "Annotations/x.xml", "/voc/JPEGImages", &dataset, &report));
  ASSERT_EQ(dataset.images.size(), 1u);
  const FormatImage& image = dataset.images[0];
  EXPECT_EQ(image.file_name, "img & co.jpg");
  EXPECT_EQ(image.path, "/voc/JPEGImages/img & co.jpg");
  EXPECT_EQ(image.width, 640);
  ASSERT_EQ(image.boxes.size(), 2u);  // the degenerate one goes in CheckImportedDataset
  EXPECT_DOUBLE_EQ(image.boxes[0].x1, 0);
  EXPECT_DOUBLE_EQ(image.boxes[0].y1, 10);
  EXPECT_DOUBLE_EQ(image.boxes[0].x2, 640);
  EXPECT_EQ(report.Count(ImportIssue::kMalformedEntry), 2);
  EXPECT_FALSE(ParseVocXml("<html></html>", "y.xml", "", &dataset, &report));
}

TEST_F(ScratchDir, VocFolderDropsDegenerateBoxesAndRoundTrips) {
  Write("voc/Annotations/x.xml", kVoc);
  Write("voc/Annotations/broken.xml", "<annotation><object>");
  Write("voc/JPEGImages/img & co.jpg", "bytes");
  ImportReport report;
  absl::StatusOr<FormatDataset> dataset =
      ReadVocDataset((dir_ / "voc").string(), "", ImportOptions(), &report);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  // broken.xml has an <annotation> with no closing tag: malformed, skipped.
  ASSERT_EQ(dataset->images.size(), 1u);
  ASSERT_EQ(dataset->images[0].boxes.size(), 1u);
  EXPECT_EQ(report.Count(ImportIssue::kDegenerateBox), 1);
  EXPECT_EQ(dataset->class_names, (std::vector<std::string>{"RBC", "WBC"}));

  dataset->images[0].boxes[0].score = 0.25;
  ASSERT_TRUE(WriteVocDataset(*dataset, (dir_ / "out").string()).ok());
  ImportOptions options;
  options.images_dir = (dir_ / "voc" / "JPEGImages").string();
  ImportReport again;
  absl::StatusOr<FormatDataset> back =
      ReadVocDataset((dir_ / "out").string(), "all", options, &again);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->images.size(), 1u);
  EXPECT_EQ(back->images[0].file_name, "img & co.jpg");
  ASSERT_EQ(back->images[0].boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(back->images[0].boxes[0].x1, 0);
  EXPECT_DOUBLE_EQ(back->images[0].boxes[0].y2, 480);
  EXPECT_DOUBLE_EQ(*back->images[0].boxes[0].score, 0.25);
  EXPECT_EQ(again.Dropped(), 0) << again.ToJson();

  EXPECT_EQ(
      ReadVocDataset((dir_ / "nowhere").string(), "", ImportOptions(), &report).status().code(),
      absl::StatusCode::kNotFound);
}

TEST(YoloFormat, LinesBecomePixelBoxesAndBadLinesAreNoted) {
  FormatImage image;
  image.width = 200;
  image.height = 100;
  ImportReport report;
  ParseYoloLabels(
      "0 0.5 0.5 0.5 0.2\n\n1 0.25 0.5 0.1 0.1 0.9\n2 0.5 0.5 0.1 0.1\nx 1 2 3\n"
      "0 nan 0.5 0.1 0.1\n",
      "labels/a.txt", {"cat", "dog"}, &image, &report);
  ASSERT_EQ(image.boxes.size(), 2u);
  EXPECT_DOUBLE_EQ(image.boxes[0].x1, 50);
  EXPECT_DOUBLE_EQ(image.boxes[0].y1, 40);
  EXPECT_DOUBLE_EQ(image.boxes[0].x2, 150);
  EXPECT_DOUBLE_EQ(image.boxes[0].y2, 60);
  EXPECT_EQ(image.boxes[1].class_name, "dog");
  EXPECT_DOUBLE_EQ(*image.boxes[1].score, 0.9);
  EXPECT_EQ(report.Count(ImportIssue::kUnknownCategory), 1);
  EXPECT_EQ(report.Count(ImportIssue::kMalformedEntry), 2);
  EXPECT_EQ(report.notes()[0].where, "labels/a.txt:4");
}

TEST_F(ScratchDir, YoloFolderWithImagesAndLabels) {
  Write("y/classes.txt", "cat\ndog\n");
  Write("y/images/a.png", PngHeader(200, 100));
  Write("y/images/sub/b.png", PngHeader(50, 50));
  Write("y/images/c.gif", "GIF89a");  // not an image extension YOLO tools read: ignored
  Write("y/labels/a.txt", "1 0.5 0.5 0.5 0.2\n0 0.5 0.5 0.001 0.5\n");
  Write("y/labels/orphan.txt", "0 0.5 0.5 0.5 0.5\n");
  ImportReport report;
  absl::StatusOr<FormatDataset> dataset =
      ReadYoloDataset((dir_ / "y").string(), ImportOptions(), &report);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->images.size(), 2u);
  EXPECT_EQ(dataset->images[0].file_name, "a.png");
  EXPECT_EQ(dataset->images[0].width, 200);
  ASSERT_EQ(dataset->images[0].boxes.size(), 1u);
  EXPECT_EQ(dataset->images[1].file_name, "sub/b.png");
  EXPECT_TRUE(dataset->images[1].boxes.empty());
  EXPECT_EQ(report.Count(ImportIssue::kDegenerateBox), 1);
  EXPECT_EQ(report.Count(ImportIssue::kImageWithoutAnnotations), 1);
  EXPECT_EQ(report.Count(ImportIssue::kMissingImageFile), 1);

  ASSERT_TRUE(WriteYoloDataset(*dataset, (dir_ / "out").string()).ok());
  EXPECT_EQ(ReadTextFile((dir_ / "out" / "labels" / "sub" / "b.txt").string()).value_or("?"), "");
  ImportOptions options;
  options.images_dir = (dir_ / "y" / "images").string();
  ImportReport again;
  absl::StatusOr<FormatDataset> back = ReadYoloDataset((dir_ / "out").string(), options, &again);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->images.size(), 2u);
  ASSERT_EQ(back->images[0].boxes.size(), 1u);
  EXPECT_NEAR(back->images[0].boxes[0].x1, 50, 1e-6);
  EXPECT_NEAR(back->images[0].boxes[0].y2, 60, 1e-6);
  EXPECT_EQ(back->images[0].boxes[0].class_name, "dog");

  EXPECT_EQ(
      ReadYoloDataset((dir_ / "y" / "labels").string(), ImportOptions(), &report).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace labelloop
