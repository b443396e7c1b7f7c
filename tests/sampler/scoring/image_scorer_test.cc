#include "sampler/image_scorer.h"

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "inference/fcos.h"
#include "inference/fcos_postprocess.h"
#include "inference/image_tensor.h"
#include "sampler/detection_probabilities.h"
#include "sampler/tta_consistency.h"

namespace labelloop {
namespace {

torch::Tensor LoadBccd(int number) {
  char name[64];
  std::snprintf(name, sizeof(name), "BloodImage_%05d.jpg", number);
  const std::string path = std::string(LABELLOOP_DATASETS_DIR) + "/bccd/JPEGImages/" + name;
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) return {};
  return MatToRgbTensor(image);
}

FcosOptions SmallOptions() {
  FcosOptions options;
  options.num_classes = 4;  // background + BCCD's three cell types
  options.min_size = 160;
  options.max_size = 224;
  return options;
}

// A randomly initialised small detector, the same weights every time.
std::shared_ptr<FcosImpl> SmallModel() {
  torch::manual_seed(0);
  Fcos model(SmallOptions());
  model->eval();
  return model.ptr();
}

double Cosine(const Embedding& a, const Embedding& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
  }
  return dot / std::sqrt(na * nb);
}

class ImageScorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i : {0, 1, 2}) {
      images_.push_back(LoadBccd(i));
      if (!images_.back().defined()) GTEST_SKIP() << "BCCD images not found";
    }
    model_ = SmallModel();
  }
  std::vector<torch::Tensor> images_;
  std::shared_ptr<FcosImpl> model_;
};

TEST_F(ImageScorerTest, DecodeMatchesTheDetectorsPostprocessing) {
  torch::NoGradGuard no_grad;
  FcosOptions options = model_->options();
  options.score_thresh = 0.05;
  FcosForward forward = model_->Forward({images_[0], images_[1]});
  auto reference = PostprocessFcos(forward.head, forward.anchors, forward.batch, options);
  auto ours =
      PostprocessFcosWithProbabilities(forward.head, forward.anchors, forward.batch, options);
  ASSERT_EQ(ours.size(), 2u);
  for (size_t i = 0; i < ours.size(); ++i) {
    ASSERT_GT(reference[i].scores.size(0), 0) << "no detections to compare";
    EXPECT_TRUE(torch::equal(ours[i].detections.boxes, reference[i].boxes));
    EXPECT_TRUE(torch::equal(ours[i].detections.scores, reference[i].scores));
    EXPECT_TRUE(torch::equal(ours[i].detections.labels, reference[i].labels));
    // The score is sqrt(p_label * sigmoid(centerness)) at the recorded location.
    auto p_label = ours[i].class_probs.gather(1, ours[i].detections.labels.unsqueeze(1)).squeeze(1);
    auto ctr = torch::sigmoid(forward.head.bbox_ctrness[i].index({ours[i].locations}).squeeze(1));
    EXPECT_TRUE(torch::allclose(torch::sqrt(p_label * ctr), ours[i].detections.scores, 1e-5, 1e-6));
    EXPECT_EQ(ours[i].class_probs.size(1), options.num_classes);
  }
}

TEST_F(ImageScorerTest, ShapesAndRanges) {
  ImageScorer scorer(model_, ImageScorerOptions{});
  auto scored = scorer.Score(images_);
  ASSERT_EQ(scored.size(), images_.size());
  for (size_t i = 0; i < scored.size(); ++i) {
    const float h = static_cast<float>(images_[i].size(1));
    const float w = static_cast<float>(images_[i].size(2));
    EXPECT_EQ(scored[i].embedding.size(), 5u * 64u);  // P3..P7 x fpn_channels
    double norm = 0;
    for (float x : scored[i].embedding) {
      ASSERT_TRUE(std::isfinite(x));
      norm += double{x} * x;
    }
    EXPECT_NEAR(norm, 1.0, 1e-5);
    EXPECT_TRUE(scored[i].views.empty());
    ASSERT_FALSE(scored[i].detections.empty());
    float previous = 1.0f;
    for (const ScoredDetection& d : scored[i].detections) {
      EXPECT_GT(d.score, 0.05f);
      EXPECT_LE(d.score, previous);
      previous = d.score;
      EXPECT_GE(d.label, 0);
      EXPECT_LT(d.label, 4);
      ASSERT_EQ(d.class_probs.size(), 3u);  // foreground classes only
      for (float p : d.class_probs) {
        EXPECT_GE(p, 0.0f);
        EXPECT_LE(p, 1.0f);
      }
      EXPECT_GE(d.box.x1, 0.0f);
      EXPECT_GE(d.box.y1, 0.0f);
      EXPECT_LE(d.box.x2, w + 1e-3f);
      EXPECT_LE(d.box.y2, h + 1e-3f);
      EXPECT_LE(d.box.x1, d.box.x2);
      EXPECT_LE(d.box.y1, d.box.y2);
    }
  }
}

TEST_F(ImageScorerTest, Deterministic) {
  ImageScorerOptions options;
  options.flip_view = true;
  ImageScorer scorer(model_, options);
  auto a = scorer.Score({images_[0]});
  auto b = scorer.Score({images_[0]});
  EXPECT_EQ(a[0].embedding, b[0].embedding);
  ASSERT_EQ(a[0].detections.size(), b[0].detections.size());
  for (size_t i = 0; i < a[0].detections.size(); ++i) {
    EXPECT_EQ(a[0].detections[i].score, b[0].detections[i].score);
    EXPECT_EQ(a[0].detections[i].class_probs, b[0].detections[i].class_probs);
  }
  // A second model built from the same seed scores the same.
  ImageScorer again(SmallModel(), options);
  EXPECT_EQ(again.Score({images_[0]})[0].embedding, a[0].embedding);
}

TEST_F(ImageScorerTest, EmbeddingIgnoresBatchPadding) {
  // Alone, and batched with a larger image (so it is padded): the embedding pools only the
  // image's own extent, so it stays the same up to the border effects of the padding.
  ImageScorer scorer(model_, ImageScorerOptions{});
  auto alone = scorer.Score({images_[0]});
  auto larger = torch::nn::functional::interpolate(
                    images_[1].unsqueeze(0),
                    torch::nn::functional::InterpolateFuncOptions()
                        .size(std::vector<int64_t>{images_[1].size(1), images_[1].size(2) * 2})
                        .mode(torch::kBilinear)
                        .align_corners(false))
                    .squeeze(0);
  auto batched = scorer.Score({images_[0], larger});
  EXPECT_GT(Cosine(alone[0].embedding, batched[0].embedding), 0.99);
}

TEST_F(ImageScorerTest, FlipViews) {
  // An image that is its own mirror: the flip view is the same input, so un-flipping its
  // detections must give exactly the mirror images of the original's, and its embedding
  // (pooled over the same pixels) is the same.
  auto half = images_[0].narrow(2, 0, images_[0].size(2) / 2);
  auto symmetric = torch::cat({half, half.flip({-1})}, 2).contiguous();
  ImageScorerOptions options;
  options.flip_view = true;
  ImageScorer scorer(model_, options);
  auto scored = scorer.Score({symmetric});
  ASSERT_EQ(scored[0].views.size(), 1u);
  const auto& original = scored[0].detections;
  const auto& view = scored[0].views[0];
  ASSERT_EQ(view.size(), original.size());
  const float width = static_cast<float>(symmetric.size(2));
  for (size_t i = 0; i < view.size(); ++i) {
    EXPECT_NEAR(view[i].box.x1, width - original[i].box.x2, 1e-3);
    EXPECT_NEAR(view[i].box.x2, width - original[i].box.x1, 1e-3);
    EXPECT_EQ(view[i].score, original[i].score);
  }
  auto flipped = scorer.Score({symmetric.flip({-1}).contiguous()});
  EXPECT_EQ(flipped[0].embedding, scored[0].embedding);

  // Real images: mirror images are far more alike to the pooled embedding than other images.
  auto real = scorer.Score(images_);
  std::vector<torch::Tensor> mirrored;
  for (const auto& image : images_) mirrored.push_back(image.flip({-1}));
  auto mirror = scorer.Score(mirrored);
  for (size_t i = 0; i < images_.size(); ++i) {
    const double own = Cosine(real[i].embedding, mirror[i].embedding);
    EXPECT_GT(own, 0.95) << i;
    std::cout << "cos(image " << i << ", its mirror) = " << own;
    for (size_t j = 0; j < images_.size(); ++j) {
      if (j != i)
        std::cout << ", cos(image " << i << ", image " << j
                  << ") = " << Cosine(real[i].embedding, real[j].embedding);
    }
    std::cout << "\n";
  }
}

TEST_F(ImageScorerTest, RescaleViewAndTtaScore) {
  ImageScorerOptions options;
  options.flip_view = true;
  options.rescale_factor = 0.75;
  ImageScorer scorer(model_, options);
  auto scored = scorer.Score({images_[0], images_[1]});
  for (const ScoredImage& image : scored) {
    ASSERT_EQ(image.views.size(), 2u);
    for (const auto& view : image.views) {
      for (const ScoredDetection& d : view) {
        EXPECT_LE(d.box.x2, static_cast<float>(images_[0].size(2)) + 1e-3f);
        EXPECT_LE(d.box.y2, static_cast<float>(images_[0].size(1)) + 1e-3f);
        EXPECT_EQ(d.class_probs.size(), 3u);
      }
    }
    TtaConsistency tta = ScoreTtaConsistency(image.detections, image.views, TtaOptions{});
    EXPECT_GE(tta.score, 0.0);
    EXPECT_LE(tta.score, 1.0);
  }
}

TEST(ImageScorerOptionsTest, BadOptionsThrow) {
  ImageScorerOptions options;
  options.rescale_factor = 1.5;
  EXPECT_THROW(ImageScorer(SmallModel(), options), c10::Error);
  EXPECT_THROW(ImageScorer(nullptr, ImageScorerOptions{}), c10::Error);
}

}  // namespace
}  // namespace labelloop
