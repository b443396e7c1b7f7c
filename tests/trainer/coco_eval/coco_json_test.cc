#include "trainer/coco_json.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

constexpr char kValid[] = R"({
  "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}, {"id": 2}],
  "categories": [{"id": 3, "name": "cell"}],
  "annotations": [
    {"id": 10, "image_id": 1, "category_id": 3, "bbox": [1, 2.5, 30, 40], "area": 1100.5,
     "iscrowd": 0, "segmentation": []},
    {"id": 11, "image_id": 2, "category_id": 3, "bbox": [0, 0, 5, 5], "iscrowd": 1,
     "ignore": true}
  ]
})";

TEST(CocoJsonTest, ParsesGroundTruth) {
  const absl::StatusOr<CocoGroundTruth> gt = ParseCocoGroundTruthJson(kValid);
  ASSERT_TRUE(gt.ok()) << gt.status();
  ASSERT_EQ(gt->images.size(), 2u);
  EXPECT_EQ(gt->images[0].file_name, "a.jpg");
  EXPECT_EQ(gt->images[0].width, 640);
  EXPECT_EQ(gt->images[1].id, 2);
  ASSERT_EQ(gt->categories.size(), 1u);
  EXPECT_EQ(gt->categories[0].name, "cell");
  ASSERT_EQ(gt->annotations.size(), 2u);
  const CocoAnnotation& a = gt->annotations[0];
  EXPECT_EQ(a.id, 10);
  EXPECT_EQ(a.bbox.y, 2.5);
  EXPECT_EQ(a.bbox.height, 40);
  EXPECT_EQ(a.area, 1100.5);
  EXPECT_FALSE(a.iscrowd);
  const CocoAnnotation& b = gt->annotations[1];
  EXPECT_FALSE(b.area.has_value());
  EXPECT_TRUE(b.iscrowd);
  EXPECT_TRUE(b.ignore);
}

TEST(CocoJsonTest, AnnotationsAreOptional) {
  const absl::StatusOr<CocoGroundTruth> gt =
      ParseCocoGroundTruthJson(R"({"images": [], "categories": []})");
  ASSERT_TRUE(gt.ok()) << gt.status();
  EXPECT_TRUE(gt->annotations.empty());
}

// Each broken input and the words its error must contain: the field path first.
struct BadInput {
  const char* json;
  const char* message;
};

TEST(CocoJsonTest, ErrorsNameTheBadField) {
  const BadInput cases[] = {
      {R"({"images": [})", "not valid JSON"},
      {R"([1, 2])", "top level: expected an object"},
      {R"({"categories": []})", "images: missing"},
      {R"({"images": {}, "categories": []})", "images: expected an array, got an object"},
      {R"({"images": [{"id": "1"}], "categories": []})",
       "images[0].id: expected an integer, got a string"},
      {R"({"images": [{"id": 1.5}], "categories": []})", "images[0].id: expected an integer"},
      {R"({"images": [{"id": 1}, {"id": 1}], "categories": []})",
       "images[1].id: duplicate image id 1"},
      {R"({"images": [{"id": 1, "width": -3}], "categories": []})",
       "images[0].width: expected a non-negative integer"},
      {R"({"images": [], "categories": [{"id": 1, "name": 7}]})",
       "categories[0].name: expected a string, got an integer"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1]}]})",
       "annotations[0].bbox: expected an array of 4 numbers [x, y, width, height], got an array"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, "1", 1]}]})",
       "annotations[0].bbox[2]: expected a number, got a string"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, -1]}]})",
       "annotations[0].bbox[3]: height must be >= 0"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]}]})",
       "annotations[0].image_id: 2 is not the id of any entry of images"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 5, "bbox": [0, 0, 1, 1]}]})",
       "annotations[0].category_id: 5 is not the id of any entry of categories"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]})",
       "annotations[0].id: missing"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1],
                            "iscrowd": 2}]})",
       "annotations[0].iscrowd: expected 0, 1, true or false"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1],
                            "area": "big"}]})",
       "annotations[0].area: expected a number, got a string"},
      {R"({"images": [{"id": 1}], "categories": [{"id": 1}],
           "annotations": [{"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]},
                           {"id": 4, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]})",
       "annotations[1].id: duplicate annotation id 4"},
  };
  for (const BadInput& bad : cases) {
    const absl::StatusOr<CocoGroundTruth> gt = ParseCocoGroundTruthJson(bad.json);
    ASSERT_FALSE(gt.ok()) << bad.json;
    EXPECT_EQ(gt.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(gt.status().message()), HasSubstr(bad.message));
  }
}

TEST(CocoJsonTest, ParsesDetections) {
  const absl::StatusOr<std::vector<CocoDetection>> dets = ParseCocoDetectionsJson(
      R"([{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": 0.25}])");
  ASSERT_TRUE(dets.ok()) << dets.status();
  ASSERT_EQ(dets->size(), 1u);
  EXPECT_EQ((*dets)[0].category_id, 3);
  EXPECT_EQ((*dets)[0].bbox.width, 3);
  EXPECT_EQ((*dets)[0].score, 0.25);
}

TEST(CocoJsonTest, DetectionErrorsNameTheBadField) {
  const BadInput cases[] = {
      {R"({})", "top level: expected an array of detections, got an object"},
      {R"([{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]}])", "[0].score: missing"},
      {R"([{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "score": "x"}])",
       "[0].score: expected a number, got a string"},
      {R"([{"image_id": 1, "bbox": [1, 2, 3, 4], "score": 1}])", "[0].category_id: missing"},
  };
  for (const BadInput& bad : cases) {
    const absl::StatusOr<std::vector<CocoDetection>> dets = ParseCocoDetectionsJson(bad.json);
    ASSERT_FALSE(dets.ok()) << bad.json;
    EXPECT_THAT(std::string(dets.status().message()), HasSubstr(bad.message));
  }
}

TEST(CocoJsonTest, LoadNamesTheFile) {
  const std::string path = ::testing::TempDir() + "/coco_json_test_bad.json";
  {
    std::ofstream out(path);
    out << R"({"images": [{"id": "x"}], "categories": []})";
  }
  const absl::StatusOr<CocoGroundTruth> gt = LoadCocoGroundTruthJson(path);
  ASSERT_FALSE(gt.ok());
  EXPECT_THAT(std::string(gt.status().message()), HasSubstr(path + ": images[0].id"));
  std::remove(path.c_str());

  const absl::StatusOr<CocoGroundTruth> missing = LoadCocoGroundTruthJson(path + ".absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(".absent"));
}

TEST(CocoJsonTest, WritesResults) {
  CocoEvalResult result;
  result.map = 0.5;
  result.map50 = 0.75;
  result.ar100 = 1;
  result.per_class.push_back({7, "cell", 0.5, 0.75, 3});
  result.per_class.push_back({8, "virus", -1, -1, 0});
  const nlohmann::json json = nlohmann::json::parse(CocoEvalResultToJson(result));
  EXPECT_EQ(json["map"], 0.5);
  EXPECT_EQ(json["map50"], 0.75);
  EXPECT_EQ(json["map_small"], -1);
  EXPECT_EQ(json["ar100"], 1.0);
  ASSERT_EQ(json["per_class"].size(), 2u);
  EXPECT_EQ(json["per_class"][0]["category_id"], 7);
  EXPECT_EQ(json["per_class"][0]["name"], "cell");
  EXPECT_EQ(json["per_class"][0]["ap50"], 0.75);
  EXPECT_EQ(json["per_class"][0]["num_ground_truth"], 3);
  EXPECT_EQ(json["per_class"][1]["ap"], -1);
  EXPECT_EQ(json["skipped_detections"], 0);
}

}  // namespace
}  // namespace labelloop
