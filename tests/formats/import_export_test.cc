// `labelloop import` and `labelloop export` through the real daemon on loopback, on subsets of the
// real datasets (BCCD in VOC, face masks in COCO): import -> export in each format -> read back
// and compare with the source file. Nothing may be lost except what the import report lists
// (the datasets' degenerate boxes); their quirks are reported, not crashes.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "formats/coco_format.h"
#include "formats/text_file.h"
#include "formats/voc_format.h"
#include "formats/yolo_format.h"
#include "gtest/gtest.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/cli_runner.h"
#include "tests/testing/test_daemon.h"

namespace labelloop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDatasets = LABELLOOP_DATASETS_DIR;
const fs::path kBccdImages = kDatasets / "bccd" / "JPEGImages";
const fs::path kFacemaskImages = kDatasets / "facemask" / "train2017";

class ImportExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kBccdImages) || !fs::is_directory(kFacemaskImages)) {
      GTEST_SKIP() << "the shared datasets are not at " << kDatasets;
    }
    testing::TestDaemonOptions options;
    options.config_text = "training { trigger_new_labels: 0 max_interval_seconds: 0 }";
    auto daemon = testing::TestDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    scratch_ = daemon_->scratch_dir();
  }

  testing::CliRunner cli() const { return {LABELLOOP_CLI_PATH, daemon_->address()}; }

  // The last JSON line a successful CLI run printed.
  json RunJson(std::vector<std::string> words) {
    std::vector<json> lines = testing::JsonLines(cli().RunOk(std::move(words)));
    EXPECT_FALSE(lines.empty());
    return lines.empty() ? json() : lines.back();
  }

  // A VOC folder with the annotation files of `stems` copied from BCCD.
  fs::path BccdSubset(const std::vector<std::string>& stems) {
    const fs::path root = scratch_ / "bccd_subset";
    fs::create_directories(root / "Annotations");
    for (const std::string& stem : stems) {
      fs::copy_file(kDatasets / "bccd" / "Annotations" / (stem + ".xml"),
                    root / "Annotations" / (stem + ".xml"));
    }
    return root;
  }

  std::unique_ptr<testing::TestDaemon> daemon_;
  fs::path scratch_;
};

// Boxes per image file name, each list sorted, for comparing datasets whatever their order.
std::map<std::string, std::vector<FormatBox>> BoxesByFile(const FormatDataset& dataset) {
  std::map<std::string, std::vector<FormatBox>> boxes;
  for (const FormatImage& image : dataset.images) {
    std::vector<FormatBox>& list = boxes[fs::path(image.file_name).filename().string()];
    list = image.boxes;
    std::sort(list.begin(), list.end(), [](const FormatBox& a, const FormatBox& b) {
      return std::tie(a.class_name, a.x1, a.y1, a.x2, a.y2) <
             std::tie(b.class_name, b.x1, b.y1, b.x2, b.y2);
    });
  }
  return boxes;
}

void ExpectSameBoxes(const FormatDataset& expected, const FormatDataset& actual, double tolerance,
                     const std::string& what) {
  SCOPED_TRACE(what);
  const auto want = BoxesByFile(expected);
  const auto got = BoxesByFile(actual);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [file, boxes] : want) {
    auto it = got.find(file);
    ASSERT_NE(it, got.end()) << file;
    ASSERT_EQ(it->second.size(), boxes.size()) << file;
    for (size_t i = 0; i < boxes.size(); ++i) {
      EXPECT_EQ(it->second[i].class_name, boxes[i].class_name) << file << " box " << i;
      EXPECT_NEAR(it->second[i].x1, boxes[i].x1, tolerance) << file << " box " << i;
      EXPECT_NEAR(it->second[i].y1, boxes[i].y1, tolerance) << file << " box " << i;
      EXPECT_NEAR(it->second[i].x2, boxes[i].x2, tolerance) << file << " box " << i;
      EXPECT_NEAR(it->second[i].y2, boxes[i].y2, tolerance) << file << " box " << i;
    }
  }
}

int CountBoxes(const FormatDataset& dataset) {
  int boxes = 0;
  for (const FormatImage& image : dataset.images) boxes += static_cast<int>(image.boxes.size());
  return boxes;
}

TEST_F(ImportExportTest, BccdVocRoundTripsThroughEveryFormat) {
  // The two files with BCCD's degenerate (point) boxes, and ten ordinary ones.
  std::vector<std::string> stems = {"BloodImage_00338", "BloodImage_00343"};
  for (int i = 0; i < 10; ++i) {
    char stem[32];
    std::snprintf(stem, sizeof(stem), "BloodImage_%05d", i);
    if (fs::exists(kDatasets / "bccd" / "Annotations" / (std::string(stem) + ".xml"))) {
      stems.push_back(stem);
    }
  }
  const fs::path source = BccdSubset(stems);
  ImportOptions read_options;
  read_options.images_dir = kBccdImages.string();
  ImportReport source_report;
  absl::StatusOr<FormatDataset> expected =
      ReadVocDataset(source.string(), "", read_options, &source_report);
  ASSERT_TRUE(expected.ok()) << expected.status();

  json imported =
      RunJson({"import", "--format=voc", source.string(), "--images=" + kBccdImages.string()});
  EXPECT_EQ(imported["images_read"], stems.size());
  EXPECT_EQ(imported["images_added"], stems.size());
  EXPECT_EQ(imported["labels_imported"], stems.size());
  EXPECT_EQ(imported["boxes_imported"], CountBoxes(*expected));
  EXPECT_EQ(imported["report"]["counts"]["degenerate_box"], 2) << imported.dump(1);
  EXPECT_EQ(imported["skipped"], 2) << imported.dump(1);
  bool named = false;
  for (const json& note : imported["report"]["notes"]) {
    named |= note["issue"] == "degenerate_box" &&
             note["where"].get<std::string>().find("BloodImage_00338") != std::string::npos;
  }
  EXPECT_TRUE(named) << imported.dump(1);

  // VOC back.
  json exported = RunJson({"export", "--format=voc", "--out=" + (scratch_ / "voc").string()});
  EXPECT_EQ(exported["images"], stems.size());
  ImportReport report;
  absl::StatusOr<FormatDataset> voc =
      ReadVocDataset((scratch_ / "voc").string(), "", read_options, &report);
  ASSERT_TRUE(voc.ok()) << voc.status();
  ExpectSameBoxes(*expected, *voc, 1e-3, "voc");
  EXPECT_EQ(report.Dropped(), 0) << report.ToJson();

  // COCO.
  RunJson({"export", "--format=coco", "--out=" + (scratch_ / "coco").string()});
  absl::StatusOr<FormatDataset> coco =
      ReadCocoFile((scratch_ / "coco" / "annotations.json").string(), read_options, &report);
  ASSERT_TRUE(coco.ok()) << coco.status();
  ExpectSameBoxes(*expected, *coco, 1e-3, "coco");
  EXPECT_EQ(coco->class_names, expected->class_names);

  // YOLO, read back beside links to the images (the reader takes every image of its folder).
  RunJson({"export", "--format=yolo", "--out=" + (scratch_ / "yolo").string()});
  fs::create_directories(scratch_ / "yolo" / "images");
  for (const std::string& stem : stems) {
    fs::create_symlink(kBccdImages / (stem + ".jpg"),
                       scratch_ / "yolo" / "images" / (stem + ".jpg"));
  }
  absl::StatusOr<FormatDataset> yolo =
      ReadYoloDataset((scratch_ / "yolo").string(), ImportOptions(), &report);
  ASSERT_TRUE(yolo.ok()) << yolo.status();
  ExpectSameBoxes(*expected, *yolo, 1e-3, "yolo");
  EXPECT_EQ(report.Dropped(), 0) << report.ToJson();

  // Splits partition the images; no model, so no predictions yet.
  json train = RunJson(
      {"export", "--format=coco", "--split=train", "--out=" + (scratch_ / "train").string()});
  json validation = RunJson(
      {"export", "--format=coco", "--split=validation", "--out=" + (scratch_ / "val").string()});
  EXPECT_EQ(train["images"].get<int>() + validation["images"].get<int>(), stems.size());
  json predictions = RunJson(
      {"export", "--format=coco", "--predictions", "--out=" + (scratch_ / "predictions").string()});
  EXPECT_EQ(predictions["images"], 0);
  EXPECT_TRUE(fs::exists(scratch_ / "predictions" / "predictions.json"));

  // Importing again adds no image and stores new label versions: the export is unchanged.
  json again =
      RunJson({"import", "--format=voc", source.string(), "--images=" + kBccdImages.string()});
  EXPECT_EQ(again["images_added"], 0);
  EXPECT_EQ(again["images_already_present"], stems.size());
  EXPECT_EQ(again["labels_imported"], stems.size());
  RunJson({"export", "--format=voc", "--out=" + (scratch_ / "voc2").string()});
  absl::StatusOr<FormatDataset> voc2 =
      ReadVocDataset((scratch_ / "voc2").string(), "", read_options, &report);
  ASSERT_TRUE(voc2.ok()) << voc2.status();
  ExpectSameBoxes(*expected, *voc2, 1e-3, "voc after re-import");
}

TEST_F(ImportExportTest, FacemaskCocoRoundTripReportsItsQuirks) {
  // Image 550 holds the dataset's three 1-pixel-wide boxes; eleven others come along.
  absl::StatusOr<std::string> text =
      ReadTextFile((kDatasets / "facemask" / "annotations" / "custom_train.json").string());
  ASSERT_TRUE(text.ok()) << text.status();
  json full = json::parse(*text);
  json subset = {{"categories", full["categories"]},
                 {"images", json::array()},
                 {"annotations", json::array()}};
  std::set<int64_t> ids;
  for (const json& image : full["images"]) {
    if (image["id"] == 550 || ids.size() < 11) {
      ids.insert(image["id"].get<int64_t>());
      subset["images"].push_back(image);
    }
  }
  for (const json& annotation : full["annotations"]) {
    if (ids.count(annotation["image_id"].get<int64_t>()) > 0) {
      subset["annotations"].push_back(annotation);
    }
  }
  ASSERT_EQ(ids.count(550), 1u);
  const fs::path source = scratch_ / "facemask_subset.json";
  ASSERT_TRUE(WriteTextFile(source.string(), subset.dump()).ok());
  ImportOptions read_options;
  read_options.images_dir = kFacemaskImages.string();
  ImportReport source_report;
  absl::StatusOr<FormatDataset> expected =
      ReadCocoFile(source.string(), read_options, &source_report);
  ASSERT_TRUE(expected.ok()) << expected.status();

  json imported =
      RunJson({"import", "--format=coco", source.string(), "--images=" + kFacemaskImages.string()});
  EXPECT_EQ(imported["labels_imported"], ids.size());
  EXPECT_EQ(imported["boxes_imported"], CountBoxes(*expected));
  EXPECT_EQ(imported["report"]["counts"]["degenerate_box"], 3) << imported.dump(1);
  EXPECT_EQ(imported["report"]["counts"]["category_ids_from_zero"], 1) << imported.dump(1);
  EXPECT_EQ(imported["classes_added"],
            json({"mask_weared_incorrect", "with_mask", "without_mask"}));

  RunJson({"export", "--format=coco", "--out=" + (scratch_ / "coco").string()});
  ImportReport report;
  absl::StatusOr<FormatDataset> coco =
      ReadCocoFile((scratch_ / "coco" / "annotations.json").string(), read_options, &report);
  ASSERT_TRUE(coco.ok()) << coco.status();
  EXPECT_EQ(coco->class_names, expected->class_names);
  ExpectSameBoxes(*expected, *coco, 1e-3, "coco");
  EXPECT_EQ(report.Dropped(), 0) << report.ToJson();
}

TEST_F(ImportExportTest, BadInputGivesClearErrors) {
  testing::ProcessResult result = cli().Run({"import", "--format=xml", "x"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("--format wants coco, voc or yolo"), std::string::npos) << result.err;
  ASSERT_TRUE(WriteTextFile((scratch_ / "not_coco.json").string(), R"({"annotations": []})").ok());
  result = cli().Run({"import", "--format=coco", (scratch_ / "not_coco.json").string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("\"images\": missing"), std::string::npos) << result.err;
  result = cli().Run({"export", "--format=coco", "--split=test", "--out=x"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("--split wants train, validation or all"), std::string::npos)
      << result.err;

  // The RPCs themselves: a bad label is rejected by index, the others stored; a bad split is
  // INVALID_ARGUMENT.
  v1::DatasetService::Stub stub(daemon_->NewChannel());
  json added =
      RunJson({"--json", "images", "add", (kBccdImages / "BloodImage_00000.jpg").string()});
  const int64_t image_id = added["images"][0]["image_id"].get<int64_t>();
  v1::ImportLabelsRequest request;
  request.set_source("test");
  request.set_add_missing_classes(true);
  v1::ImportedLabel* good = request.add_labels();
  good->set_image_id(image_id);
  v1::Box* box = good->add_boxes();
  box->set_x1(10);
  box->set_y1(10);
  box->set_x2(50);
  box->set_y2(60);
  box->set_class_name("RBC");
  request.add_labels()->set_image_id(image_id + 1000);
  v1::ImportedLabel* outside = request.add_labels();
  outside->set_image_id(image_id);
  *outside->add_boxes() = *box;
  outside->mutable_boxes(0)->set_x2(5000);
  request.add_labels()->set_sha256("00");
  v1::ImportLabelsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub.ImportLabels(&context, request, &response).ok());
  EXPECT_EQ(response.imported(), 1);
  ASSERT_EQ(response.rejected_size(), 3);
  EXPECT_EQ(response.rejected(0).index(), 1);
  EXPECT_NE(response.rejected(0).error().find("not found"), std::string::npos);
  EXPECT_EQ(response.rejected(1).index(), 2);
  EXPECT_EQ(response.rejected(2).index(), 3);
  EXPECT_EQ(response.added_classes_size(), 1);

  v1::GetImageRequest get;
  get.set_image_id(image_id);
  v1::GetImageResponse image;
  grpc::ClientContext get_context;
  ASSERT_TRUE(stub.GetImage(&get_context, get, &image).ok());
  EXPECT_EQ(image.image().state(), v1::IMAGE_STATE_LABELED);
  EXPECT_EQ(image.label().annotator(), "import:test");
  EXPECT_EQ(image.label().boxes_size(), 1);

  v1::ExportLabelsRequest export_request;
  export_request.set_split("validation");
  grpc::ClientContext export_context;
  auto reader = stub.ExportLabels(&export_context, export_request);
  v1::ExportedImage item;
  while (reader->Read(&item)) {
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("split"), std::string::npos) << status.error_message();
}

}  // namespace
}  // namespace labelloop
