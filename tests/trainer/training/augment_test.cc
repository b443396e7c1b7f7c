#include "trainer/augment.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "gtest/gtest.h"
#include "trainer/augment_ops.h"

namespace labelloop {
namespace {

// A grey 200x100 image with one white box (x 20..60, y 10..50) and one black box
// (x 120..180, y 40..90), boxes labeled 1 and 2.
TrainingExample TwoBoxes() {
  TrainingExample example;
  example.image = cv::Mat(100, 200, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::rectangle(example.image, cv::Rect(20, 10, 40, 40), cv::Scalar(255, 255, 255), cv::FILLED);
  cv::rectangle(example.image, cv::Rect(120, 40, 60, 50), cv::Scalar(0, 0, 0), cv::FILLED);
  example.boxes = {{20, 10, 60, 50, 1}, {120, 40, 180, 90, 2}};
  return example;
}

// Every box inside the image and at least kMinBoxSide wide and tall.
void ExpectValidBoxes(const TrainingExample& example) {
  for (const TrainingBox& box : example.boxes) {
    EXPECT_GE(box.x1, 0);
    EXPECT_GE(box.y1, 0);
    EXPECT_LE(box.x2, example.image.cols);
    EXPECT_LE(box.y2, example.image.rows);
    EXPECT_GE(box.width(), kMinBoxSide);
    EXPECT_GE(box.height(), kMinBoxSide);
  }
}

// The mean grey level of the pixels under a box.
double MeanInside(const cv::Mat& image, const TrainingBox& box) {
  cv::Rect r(static_cast<int>(std::ceil(box.x1)), static_cast<int>(std::ceil(box.y1)),
             static_cast<int>(std::floor(box.x2) - std::ceil(box.x1)),
             static_cast<int>(std::floor(box.y2) - std::ceil(box.y1)));
  // Stay off the edges, where resizing blends with the background.
  r.x += 2;
  r.y += 2;
  r.width -= 4;
  r.height -= 4;
  return cv::mean(image(r))[0];
}

TEST(AugmentOpsTest, FlipMirrorsBoxesWithThePixels) {
  TrainingExample example = TwoBoxes();
  FlipHorizontally(&example);
  ASSERT_EQ(example.boxes.size(), 2u);
  EXPECT_FLOAT_EQ(example.boxes[0].x1, 140);
  EXPECT_FLOAT_EQ(example.boxes[0].x2, 180);
  EXPECT_FLOAT_EQ(example.boxes[0].y1, 10);
  EXPECT_FLOAT_EQ(example.boxes[1].x1, 20);
  EXPECT_FLOAT_EQ(example.boxes[1].x2, 80);
  EXPECT_EQ(example.boxes[1].label, 2);
  EXPECT_DOUBLE_EQ(MeanInside(example.image, example.boxes[0]), 255);
  EXPECT_DOUBLE_EQ(MeanInside(example.image, example.boxes[1]), 0);
  // Flipping does not touch the caller's original pixels.
  TrainingExample original = TwoBoxes();
  TrainingExample copy = original;
  FlipHorizontally(&copy);
  EXPECT_DOUBLE_EQ(MeanInside(original.image, original.boxes[0]), 255);
}

TEST(AugmentOpsTest, ResizeScalesBoxesWithThePixels) {
  TrainingExample example = TwoBoxes();
  ResizeExample(&example, 0.5);
  EXPECT_EQ(example.image.cols, 100);
  EXPECT_EQ(example.image.rows, 50);
  ASSERT_EQ(example.boxes.size(), 2u);
  EXPECT_FLOAT_EQ(example.boxes[0].x1, 10);
  EXPECT_FLOAT_EQ(example.boxes[0].y2, 25);
  EXPECT_FLOAT_EQ(example.boxes[1].x2, 90);
  EXPECT_NEAR(MeanInside(example.image, example.boxes[0]), 255, 1);
  ResizeExample(&example, 3.0);
  EXPECT_EQ(example.image.cols, 300);
  EXPECT_FLOAT_EQ(example.boxes[0].x1, 30);
}

TEST(AugmentOpsTest, ResizeDropsBoxesThatBecomeTooThin) {
  TrainingExample example = TwoBoxes();
  example.boxes.push_back({100, 5, 101.5f, 95, 1});  // 1.5 px wide: 0.15 px after 0.1x
  ResizeExample(&example, 0.1);
  ASSERT_EQ(example.boxes.size(), 2u);
  ExpectValidBoxes(example);
}

TEST(AugmentOpsTest, CropClipsKeepsAndDropsBoxes) {
  TrainingExample example = TwoBoxes();
  // Window x 30..150, y 0..100: box 0 keeps 30/40 of its width (75%), box 1 keeps 30/60 (50%).
  CropExample(&example, cv::Rect(30, 0, 120, 100), 0.6f);
  EXPECT_EQ(example.image.cols, 120);
  EXPECT_EQ(example.image.rows, 100);
  ASSERT_EQ(example.boxes.size(), 1u);
  EXPECT_FLOAT_EQ(example.boxes[0].x1, 0);
  EXPECT_FLOAT_EQ(example.boxes[0].x2, 30);
  EXPECT_FLOAT_EQ(example.boxes[0].y1, 10);
  EXPECT_FLOAT_EQ(example.boxes[0].y2, 50);
  EXPECT_DOUBLE_EQ(MeanInside(example.image, example.boxes[0]), 255);

  TrainingExample lenient = TwoBoxes();
  CropExample(&lenient, cv::Rect(30, 0, 120, 100), 0.5f);
  ASSERT_EQ(lenient.boxes.size(), 2u);
  EXPECT_FLOAT_EQ(lenient.boxes[1].x1, 90);
  EXPECT_FLOAT_EQ(lenient.boxes[1].x2, 120);
  ExpectValidBoxes(lenient);
}

TEST(AugmentOpsTest, CropNeverLeavesSlivers) {
  TrainingExample example = TwoBoxes();
  // The window's right edge cuts box 1 half a pixel in: kept area share is irrelevant (0).
  CropExample(&example, cv::Rect(0, 0, 120, 100), 0.0f);
  ASSERT_EQ(example.boxes.size(), 1u);
  EXPECT_EQ(example.boxes[0].label, 1);
  TrainingExample edge = TwoBoxes();
  edge.boxes[1].x1 = 119.5f;
  CropExample(&edge, cv::Rect(0, 0, 120, 100), 0.0f);
  ASSERT_EQ(edge.boxes.size(), 1u);  // 0.5 px left of box 1: dropped, not degenerate
}

TEST(AugmentOpsTest, PlaceOnCanvasMovesBoxes) {
  TrainingExample example = TwoBoxes();
  ResizeExample(&example, 0.5);
  PlaceOnCanvas(&example, cv::Size(200, 100), cv::Point(50, 30), cv::Scalar(1, 2, 3));
  EXPECT_EQ(example.image.cols, 200);
  EXPECT_FLOAT_EQ(example.boxes[0].x1, 60);
  EXPECT_FLOAT_EQ(example.boxes[0].y1, 35);
  EXPECT_EQ(example.image.at<cv::Vec3b>(0, 0), cv::Vec3b(1, 2, 3));
  EXPECT_NEAR(MeanInside(example.image, example.boxes[0]), 255, 1);
}

TEST(AugmentOpsTest, ColorJitterFactors) {
  cv::Mat grey(4, 4, CV_8UC3, cv::Scalar(100, 100, 100));
  cv::Mat brighter = grey.clone();
  JitterColor(&brighter, 1.5, 1.0, 1.0);
  EXPECT_EQ(brighter.at<cv::Vec3b>(0, 0), cv::Vec3b(150, 150, 150));
  cv::Mat saturated = grey.clone();
  JitterColor(&saturated, 3.0, 1.0, 1.0);
  EXPECT_EQ(saturated.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));

  cv::Mat halves(2, 2, CV_8UC3, cv::Scalar(0, 0, 0));
  halves.row(0).setTo(cv::Scalar(200, 200, 200));
  JitterColor(&halves, 1.0, 0.0, 1.0);  // no contrast: everything at the mean grey
  EXPECT_EQ(halves.at<cv::Vec3b>(0, 0), cv::Vec3b(100, 100, 100));
  EXPECT_EQ(halves.at<cv::Vec3b>(1, 1), cv::Vec3b(100, 100, 100));

  cv::Mat blue(2, 2, CV_8UC3, cv::Scalar(200, 50, 50));
  JitterColor(&blue, 1.0, 1.0, 0.0);  // no saturation: grey
  const cv::Vec3b p = blue.at<cv::Vec3b>(0, 0);
  EXPECT_EQ(p[0], p[1]);
  EXPECT_EQ(p[1], p[2]);
}

TEST(AugmentTest, SameSeedSameResult) {
  AugmentOptions options;
  options.horizontal_flip = 0.5f;
  options.scale_min = 0.5f;
  options.scale_max = 1.5f;
  options.color_jitter = 0.4f;
  options.random_crop = 0.5f;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    TrainingExample a = TwoBoxes();
    TrainingExample b = TwoBoxes();
    std::mt19937_64 rng_a(seed);
    std::mt19937_64 rng_b(seed);
    Augment(options, &rng_a, &a);
    Augment(options, &rng_b, &b);
    ASSERT_EQ(a.boxes.size(), b.boxes.size());
    for (size_t i = 0; i < a.boxes.size(); ++i) EXPECT_FLOAT_EQ(a.boxes[i].x1, b.boxes[i].x1);
    EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0);
  }
}

TEST(AugmentTest, BoxesStayValidAndNonEmpty) {
  AugmentOptions options;
  options.horizontal_flip = 0.5f;
  options.scale_min = 0.3f;
  options.scale_max = 2.5f;
  options.color_jitter = 0.5f;
  options.random_crop = 1.0f;
  options.min_crop_side = 0.2f;
  int cropped = 0, zoomed_in = 0, zoomed_out = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    TrainingExample example = TwoBoxes();
    std::mt19937_64 rng(seed);
    Augment(options, &rng, &example);
    ExpectValidBoxes(example);
    EXPECT_FALSE(example.boxes.empty()) << "seed " << seed;
    EXPECT_FALSE(example.image.empty());
    if (example.image.cols < 200 || example.image.rows < 100) ++cropped;
    for (const TrainingBox& box : example.boxes) {
      // The white box is 40 px wide before augmentation; crops do not rescale pixels, so an
      // unclipped box's width is 40 times the zoom.
      if (box.label != 1 || box.x1 <= 0 || box.x2 >= example.image.cols) continue;
      const double scale = box.width() / 40.0;
      if (scale > 1.2) ++zoomed_in;
      if (scale < 0.8) ++zoomed_out;
    }
  }
  EXPECT_GT(cropped, 100);
  EXPECT_GT(zoomed_in, 10);
  EXPECT_GT(zoomed_out, 10);
}

TEST(AugmentTest, NoOptionsNoChange) {
  AugmentOptions options;
  options.horizontal_flip = 0;
  TrainingExample example = TwoBoxes();
  const cv::Mat before = example.image.clone();
  std::mt19937_64 rng(7);
  Augment(options, &rng, &example);
  EXPECT_EQ(cv::norm(before, example.image, cv::NORM_INF), 0);
  ASSERT_EQ(example.boxes.size(), 2u);
  EXPECT_FLOAT_EQ(example.boxes[1].x2, 180);
}

TEST(AugmentTest, ImageWithoutBoxesStillAugments) {
  AugmentOptions options;
  options.random_crop = 1.0f;
  options.scale_min = 0.5f;
  options.scale_max = 1.5f;
  TrainingExample example = TwoBoxes();
  example.boxes.clear();
  std::mt19937_64 rng(3);
  Augment(options, &rng, &example);
  EXPECT_FALSE(example.image.empty());
  EXPECT_TRUE(example.boxes.empty());
}

}  // namespace
}  // namespace labelloop
