#include "cli/message_json.h"

#include "gtest/gtest.h"

namespace labelloop {
namespace {

TEST(MessageJsonTest, ImageUsesSnakeCaseAndLowercaseState) {
  v1::Image image;
  image.set_id(7);
  image.set_uri("a/b.jpg");
  image.set_size_bytes(1234567890123);
  image.set_state(v1::IMAGE_STATE_LABELED);
  image.set_split("val");
  const Json json = ImageToJson(image);
  EXPECT_EQ(json["id"], 7);
  EXPECT_EQ(json["uri"], "a/b.jpg");
  EXPECT_EQ(json["size_bytes"], 1234567890123);
  EXPECT_EQ(json["state"], "labeled");
  EXPECT_EQ(json["split"], "val");
  EXPECT_TRUE(json.contains("label_versions"));
  EXPECT_TRUE(json.contains("added_unix_ms"));
}

TEST(MessageJsonTest, StateNamesRoundTrip) {
  for (const char* name : {"unlabeled", "leased", "labeled", "skipped"}) {
    std::optional<v1::ImageState> state = ParseImageState(name);
    ASSERT_TRUE(state.has_value()) << name;
    EXPECT_EQ(ImageStateName(*state), name);
  }
  EXPECT_FALSE(ParseImageState("LABELED").has_value());
}

TEST(MessageJsonTest, QueueItemHasLeaseAndPredictionsAsBoxLists) {
  v1::QueueItem item;
  item.set_image_id(3);
  item.set_lease_id("L1");
  item.set_rank(0);
  item.set_model_version("v2");
  v1::Box& box = *item.add_predictions();
  box.set_x1(0.1f);
  box.set_y1(2);
  box.set_x2(30.25f);
  box.set_y2(40);
  box.set_class_name("RBC");
  box.set_score(0.9f);
  const Json json = QueueItemToJson(item);
  EXPECT_EQ(json.dump().find("0.10000000149"), std::string::npos) << json.dump();
  for (const char* key : {"image_id", "uri", "rank", "score", "lease_id", "model_version",
                          "predictions", "width", "height", "lease_expires_unix_ms"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  ASSERT_EQ(json["predictions"].size(), 1u);
  EXPECT_EQ(json["predictions"][0]["box"], Json::parse("[0.1,2,30.25,40]"));
  EXPECT_EQ(json["predictions"][0]["class"], "RBC");
  EXPECT_DOUBLE_EQ(json["predictions"][0]["score"].get<double>(), 0.9);
}

TEST(MessageJsonTest, NoPredictionsIsAnEmptyList) {
  const Json json = QueueItemToJson(v1::QueueItem());
  EXPECT_TRUE(json["predictions"].is_array());
  EXPECT_TRUE(json["predictions"].empty());
}

}  // namespace
}  // namespace labelloop
