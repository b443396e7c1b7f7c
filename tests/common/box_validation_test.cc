#include "common/box_validation.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace labelloop {
namespace {

using ::testing::HasSubstr;

class BoxValidationTest : public ::testing::Test {
 protected:
  void Add(float x1, float y1, float x2, float y2, const std::string& cls) {
    v1::Box* box = boxes_.Add();
    box->set_x1(x1);
    box->set_y1(y1);
    box->set_x2(x2);
    box->set_y2(y2);
    box->set_class_name(cls);
  }
  absl::StatusOr<std::vector<ValidBox>> Validate() {
    return ValidateBoxes(boxes_, rules_, classes_);
  }

  google::protobuf::RepeatedPtrField<v1::Box> boxes_;
  BoxRules rules_{640, 480, 2.0f, 10};
  absl::flat_hash_map<std::string, int64_t> classes_{{"RBC", 1}, {"WBC", 2}};
};

TEST_F(BoxValidationTest, AcceptsGoodBoxesAndResolvesClasses) {
  Add(10, 20, 30, 40, "RBC");
  Add(0, 0, 640, 480, "WBC");
  absl::StatusOr<std::vector<ValidBox>> valid = Validate();
  ASSERT_TRUE(valid.ok()) << valid.status();
  ASSERT_EQ(valid->size(), 2u);
  EXPECT_EQ((*valid)[0].class_id, 1);
  EXPECT_EQ((*valid)[1].class_id, 2);
  EXPECT_FLOAT_EQ((*valid)[1].x2, 640);
}

TEST_F(BoxValidationTest, EmptyListMeansNoObjects) {
  absl::StatusOr<std::vector<ValidBox>> valid = Validate();
  ASSERT_TRUE(valid.ok());
  EXPECT_TRUE(valid->empty());
}

TEST_F(BoxValidationTest, ClipsWithinToleranceAndRefusesBeyond) {
  Add(-1.5f, -2.0f, 641.0f, 482.0f, "RBC");
  absl::StatusOr<std::vector<ValidBox>> valid = Validate();
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_FLOAT_EQ((*valid)[0].x1, 0);
  EXPECT_FLOAT_EQ((*valid)[0].y2, 480);

  Add(600, 400, 643, 470, "RBC");
  valid = Validate();
  EXPECT_EQ(valid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(valid.status().message(), HasSubstr("box 1 "));
  EXPECT_THAT(valid.status().message(), HasSubstr("outside the 640x480 image"));
}

TEST_F(BoxValidationTest, NamesTheFirstBadBox) {
  Add(10, 10, 20, 20, "RBC");
  Add(std::numeric_limits<float>::quiet_NaN(), 10, 20, 20, "RBC");
  absl::StatusOr<std::vector<ValidBox>> valid = Validate();
  EXPECT_EQ(valid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(valid.status().message(), HasSubstr("box 1 "));
  EXPECT_THAT(valid.status().message(), HasSubstr("finite"));
}

TEST_F(BoxValidationTest, RefusesZeroAndNegativeArea) {
  Add(10, 10, 10, 20, "RBC");
  EXPECT_THAT(Validate().status().message(), HasSubstr("zero or negative area"));
  boxes_.Clear();
  Add(30, 10, 20, 20, "RBC");
  EXPECT_THAT(Validate().status().message(), HasSubstr("zero or negative area"));
}

TEST_F(BoxValidationTest, RefusesBoxThatLeavesNoAreaAfterClipping) {
  Add(-2, 10, 0, 20, "RBC");
  EXPECT_THAT(Validate().status().message(), HasSubstr("no area left"));
}

TEST_F(BoxValidationTest, UnknownClassListsTheKnownOnes) {
  Add(10, 10, 20, 20, "Platelets");
  absl::Status status = Validate().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unknown class \"Platelets\""));
  EXPECT_THAT(status.message(), HasSubstr("RBC, WBC"));
}

TEST_F(BoxValidationTest, RefusesTooManyBoxes) {
  for (int i = 0; i < 11; ++i) Add(1, 1, 5, 5, "RBC");
  EXPECT_THAT(Validate().status().message(), HasSubstr("over the limit of 10"));
}

}  // namespace
}  // namespace labelloop
