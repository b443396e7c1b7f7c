// pycocotools bbox semantics, checked on cases small enough to work out by hand. Each test says
// how its numbers come about. Two facts recur:
//  - precision at a rank is tp / (fp + tp + eps) with eps = np.spacing(1) = DBL_EPSILON, so a true
//    positive ranked first has precision 1 / (1 + eps), one ulp below 1 (for fp + tp >= 2 the eps
//    vanishes in rounding). Precision is then made non-increasing from the right, so that first
//    value only survives when no later rank reaches precision 1.
//  - AP at one IoU threshold is the mean over the 101 recall thresholds r / 100 of the precision at
//    the first rank whose recall reaches r / 100 (0 when none does). mAP averages the 10 IoU
//    thresholds too (all 1010 values at once).
#include "trainer/coco_eval.h"

#include <cfloat>
#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace labelloop {
namespace {

constexpr double kFirstRankPrecision = 1.0 / (1.0 + DBL_EPSILON);  // 1 - 2^-52

CocoGroundTruth MakeGroundTruth(const std::vector<int64_t>& image_ids,
                                const std::vector<int64_t>& category_ids) {
  CocoGroundTruth gt;
  for (int64_t id : image_ids) gt.images.push_back({id, "", 0, 0});
  for (int64_t id : category_ids) gt.categories.push_back({id, "class" + std::to_string(id)});
  return gt;
}

struct BoxOptions {
  bool iscrowd = false;
  std::optional<double> area;
  bool ignore = false;
};

void AddBox(CocoGroundTruth& gt, int64_t image_id, int64_t category_id, CocoBox box,
            BoxOptions options = {}) {
  CocoAnnotation annotation;
  annotation.id = static_cast<int64_t>(gt.annotations.size()) + 1;
  annotation.image_id = image_id;
  annotation.category_id = category_id;
  annotation.bbox = box;
  annotation.area = options.area;
  annotation.iscrowd = options.iscrowd;
  annotation.ignore = options.ignore;
  gt.annotations.push_back(annotation);
}

CocoDetection Det(int64_t image_id, int64_t category_id, CocoBox box, double score) {
  return {image_id, category_id, box, score};
}

constexpr CocoBox kBoxA{0, 0, 100, 100};         // area 10000: large
constexpr CocoBox kBoxB{200, 0, 100, 100};       // disjoint from A
constexpr CocoBox kFarAway{500, 500, 100, 100};  // overlaps nothing above

// The AP of the single category at IoU index t (area all, maxDets 100), as per-class AP50 does.
double ApAtThreshold(const CocoAccumulation& acc, int t) {
  double sum = 0;
  for (int r = 0; r < acc.num_recalls(); ++r) sum += acc.precision(t, r, 0, 0, 2);
  return sum / acc.num_recalls();
}

TEST(EvaluateBoxesTest, PerfectDetectorScoresOne) {
  // Three large boxes on two images, each detected exactly. Ranked .9 .8 .7: tp 1 2 3, fp 0;
  // precision 1/(1+eps), 1, 1 becomes 1, 1, 1 from the right; recall 1/3, 2/3, 1 reaches every
  // threshold. So every precision value is exactly 1.
  CocoGroundTruth gt = MakeGroundTruth({1, 2}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 1, kBoxB);
  AddBox(gt, 2, 1, kBoxA);
  const std::vector<CocoDetection> dets = {Det(1, 1, kBoxA, 0.9), Det(1, 1, kBoxB, 0.8),
                                           Det(2, 1, kBoxA, 0.7)};
  const CocoEvalResult result = EvaluateBoxes(gt, dets);
  EXPECT_EQ(result.map, 1.0);
  EXPECT_EQ(result.map50, 1.0);
  EXPECT_EQ(result.map75, 1.0);
  EXPECT_EQ(result.map_large, 1.0);
  // No small or medium ground truth anywhere: -1, not 0.
  EXPECT_EQ(result.map_small, -1);
  EXPECT_EQ(result.map_medium, -1);
  // maxDets 1 keeps one detection per image: A on image 1 and A on image 2, recall 2/3.
  EXPECT_DOUBLE_EQ(result.ar1, 2.0 / 3.0);
  EXPECT_EQ(result.ar10, 1.0);
  EXPECT_EQ(result.ar100, 1.0);
  EXPECT_EQ(result.ar_small, -1);
  EXPECT_EQ(result.ar_medium, -1);
  EXPECT_EQ(result.ar_large, 1.0);
  ASSERT_EQ(result.per_class.size(), 1u);
  EXPECT_EQ(result.per_class[0].category_id, 1);
  EXPECT_EQ(result.per_class[0].name, "class1");
  EXPECT_EQ(result.per_class[0].ap, 1.0);
  EXPECT_EQ(result.per_class[0].ap50, 1.0);
  EXPECT_EQ(result.per_class[0].num_ground_truth, 3);
  EXPECT_EQ(result.stats()[0], result.map);
  EXPECT_EQ(result.stats()[11], result.ar_large);
}

TEST(EvaluateBoxesTest, SingleTruePositiveIsOneUlpBelowOne) {
  // One box, one exact detection: the only rank has precision 1/(1+eps), and nothing to its right
  // lifts it, so pycocotools reports 0.9999999999999998 there, not 1.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  const std::vector<CocoDetection> dets = {Det(1, 1, kBoxA, 0.9)};
  const CocoAccumulation acc = AccumulateBoxes(gt, dets, StandardCocoEvalParams());
  for (int t = 0; t < 10; ++t) {
    for (int r = 0; r < 101; ++r) EXPECT_EQ(acc.precision(t, r, 0, 0, 2), kFirstRankPrecision);
    EXPECT_EQ(acc.recall(t, 0, 0, 2), 1.0);
  }
  const CocoEvalResult result = EvaluateBoxes(gt, dets);
  EXPECT_LT(result.map, 1.0);
  EXPECT_DOUBLE_EQ(result.map, 1.0);
}

TEST(EvaluateBoxesTest, FalsePositiveRankedFirstHalvesPrecision) {
  // Ranked: FP (.9), TP (.8). tp 0 1, fp 1 1: precision 0, 1/2 -> 1/2, 1/2 from the right;
  // recall 0, 1. Threshold 0 reads rank 0, the others rank 1: 1/2 everywhere, AP exactly 1/2.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  const std::vector<CocoDetection> dets = {Det(1, 1, kFarAway, 0.9), Det(1, 1, kBoxA, 0.8)};
  const CocoEvalResult result = EvaluateBoxes(gt, dets);
  EXPECT_EQ(result.map, 0.5);
  EXPECT_EQ(result.map50, 0.5);
  EXPECT_EQ(result.ar100, 1.0);
  // maxDets 1 keeps only the false positive.
  EXPECT_EQ(result.ar1, 0.0);
}

TEST(EvaluateBoxesTest, FalsePositiveBetweenTruePositives) {
  // Two boxes; ranked TP (.9), FP (.8), TP (.7). tp 1 1 2, fp 0 1 1, recall 1/2 1/2 1.
  // Precision 1/(1+eps), 1/2, 2/3 -> from the right 1/(1+eps), 2/3, 2/3.
  // Recall thresholds 0 .. 0.50 (51 of them) are reached at rank 0 -> 1/(1+eps);
  // 0.51 .. 1 (50) first at rank 2 -> 2/3. AP = (51 + 50 * 2/3) / 101 = 253/303 = 0.83498...
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 1, kBoxB);
  const std::vector<CocoDetection> dets = {Det(1, 1, kBoxA, 0.9), Det(1, 1, kFarAway, 0.8),
                                           Det(1, 1, kBoxB, 0.7)};
  const CocoAccumulation acc = AccumulateBoxes(gt, dets, StandardCocoEvalParams());
  for (int r = 0; r <= 50; ++r) EXPECT_EQ(acc.precision(0, r, 0, 0, 2), kFirstRankPrecision) << r;
  for (int r = 51; r <= 100; ++r) EXPECT_EQ(acc.precision(0, r, 0, 0, 2), 2.0 / 3.0) << r;
  EXPECT_NEAR(ApAtThreshold(acc, 0), 253.0 / 303.0, 1e-15);
  const CocoEvalResult result = EvaluateBoxes(gt, dets);
  EXPECT_NEAR(result.map, 253.0 / 303.0, 1e-15);
  EXPECT_NEAR(result.per_class[0].ap50, 253.0 / 303.0, 1e-15);
}

TEST(EvaluateBoxesTest, DuplicateDetectionIsAFalsePositive) {
  // The second detection of box A finds A taken (non-crowd boxes match once), so it is a false
  // positive: the same ranking as FalsePositiveBetweenTruePositives, AP 253/303.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 1, kBoxB);
  const std::vector<CocoDetection> dets = {Det(1, 1, kBoxA, 0.9), Det(1, 1, kBoxA, 0.8),
                                           Det(1, 1, kBoxB, 0.7)};
  EXPECT_NEAR(EvaluateBoxes(gt, dets).map, 253.0 / 303.0, 1e-15);
}

TEST(EvaluateBoxesTest, EqualScoresKeepInputOrderWithinAnImage) {
  // Stable sort: with equal scores the detection listed first ranks first. FP first gives the
  // FalsePositiveRankedFirst ranking (AP 1/2); TP first gives precision 1/(1+eps) at recall 1
  // followed by 1/2 at rank 1, so every threshold reads 1/(1+eps).
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  EXPECT_EQ(EvaluateBoxes(gt, {Det(1, 1, kFarAway, 0.5), Det(1, 1, kBoxA, 0.5)}).map, 0.5);
  EXPECT_DOUBLE_EQ(EvaluateBoxes(gt, {Det(1, 1, kBoxA, 0.5), Det(1, 1, kFarAway, 0.5)}).map, 1.0);
}

TEST(EvaluateBoxesTest, EqualScoresAcrossImagesFollowImageIdOrder) {
  // accumulate concatenates images in ascending id order before its stable sort, so a tie goes
  // to the image with the smaller id, whatever the order of the images or detections lists.
  {
    CocoGroundTruth gt = MakeGroundTruth({2, 1}, {1});
    AddBox(gt, 2, 1, kBoxA);
    // The FP is on image 1, so it ranks first: AP 1/2.
    EXPECT_EQ(EvaluateBoxes(gt, {Det(2, 1, kBoxA, 0.5), Det(1, 1, kFarAway, 0.5)}).map, 0.5);
  }
  {
    CocoGroundTruth gt = MakeGroundTruth({2, 1}, {1});
    AddBox(gt, 1, 1, kBoxA);
    // The TP is on image 1 now: AP 1/(1+eps).
    EXPECT_DOUBLE_EQ(EvaluateBoxes(gt, {Det(2, 1, kFarAway, 0.5), Det(1, 1, kBoxA, 0.5)}).map, 1.0);
  }
}

// Box G is a person; C = [200,0,200,200] is a crowd region (area 40000). Detections:
//   d2 (.95) [210,10,50,50]  inside C: overlap / own area = 1
//   d4 (.92) [380,0,40,100]  half inside C: 2000 / 4000 = 0.5
//   d1 (.90) exactly G
//   d3 (.85) [300,100,50,50] inside C
CocoGroundTruth CrowdScene(bool crowd) {
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 1, {200, 0, 200, 200}, {crowd, 40000.0, false});
  return gt;
}
const std::vector<CocoDetection> kCrowdDets = {
    Det(1, 1, {210, 10, 50, 50}, 0.95), Det(1, 1, {380, 0, 40, 100}, 0.92), Det(1, 1, kBoxA, 0.90),
    Det(1, 1, {300, 100, 50, 50}, 0.85)};

TEST(EvaluateBoxesTest, CrowdRegionAbsorbsDetections) {
  // The crowd region is an ignored box that any number of detections may match; they are then
  // ignored (neither TP nor FP). Only G counts (npig = 1).
  //  IoU .5: d2, d4, d3 ignored, d1 TP: tp 0 0 1 1, fp 0 0 0 0 -> precision 1/(1+eps) everywhere.
  //  IoU .55 .. .95: d4 (0.5) no longer matches and is a FP ranked before d1:
  //    tp 0 0 1 1, fp 0 1 1 1 -> precision 0 0 1/2 1/2 -> 1/2 everywhere: AP exactly 1/2.
  //  mAP = (1 + 9 * 1/2) / 10 = 0.55.
  const CocoEvalResult result = EvaluateBoxes(CrowdScene(true), kCrowdDets);
  EXPECT_DOUBLE_EQ(result.map50, 1.0);
  EXPECT_EQ(result.map75, 0.5);
  EXPECT_NEAR(result.map, 0.55, 1e-15);
  EXPECT_EQ(result.ar100, 1.0);
  EXPECT_EQ(result.per_class[0].num_ground_truth, 1);
}

TEST(EvaluateBoxesTest, SameRegionWithoutCrowdFlagIsAnOrdinaryBox) {
  // Now C is a box to find (npig = 2) and plain IoU applies: d2, d4, d3 overlap it by 2500/40000,
  // 2000/42000, 2500/40000, all false positives. Ranked FP FP TP FP: tp 0 0 1 1, fp 1 2 2 3,
  // recall 0 0 1/2 1/2, precision 0 0 1/3 1/4 -> 1/3 1/3 1/3 1/4. Thresholds 0 .. 0.5 (51) read
  // 1/3, the 50 above 0.5 are never reached (0): AP = 17/101 at every IoU.
  const CocoEvalResult result = EvaluateBoxes(CrowdScene(false), kCrowdDets);
  EXPECT_NEAR(result.map, 17.0 / 101.0, 1e-15);
  EXPECT_NEAR(result.map50, 17.0 / 101.0, 1e-15);
  EXPECT_EQ(result.ar100, 0.5);
}

TEST(EvaluateBoxesTest, CountedBoxBeatsAnOverlappingCrowdRegion) {
  // A crowd region listed first covers box A exactly; the detection has IoU 1 with both. Ignored
  // boxes are sorted last and evaluateImg stops at them once it holds a match on a counted box,
  // so the detection is a true positive of A (recall 1), not absorbed by the crowd (recall 0).
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA, {true, std::nullopt, false});
  AddBox(gt, 1, 1, kBoxA);
  const CocoEvalResult result = EvaluateBoxes(gt, {Det(1, 1, kBoxA, 0.9)});
  EXPECT_EQ(result.ar100, 1.0);
  EXPECT_DOUBLE_EQ(result.map, 1.0);
}

TEST(EvaluateBoxesTest, EqualIouGoesToTheLaterBox) {
  // A = [0,0,10,10], B = [2,0,10,10]; d1 = [1,0,10,10] overlaps both by 90 / 110 = 0.818.
  // evaluateImg replaces its best match unless iou < best, so on a tie the later box (B) wins;
  // d2 = exactly A then also matches: recall 1 at IoU 0.7. Had A won the tie, d2 could only take
  // B at 80 / 120 = 0.667 < 0.7, recall 1/2. At IoU 0.85 d1 matches nothing: recall 1/2.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, {0, 0, 10, 10});
  AddBox(gt, 1, 1, {2, 0, 10, 10});
  const std::vector<CocoDetection> dets = {Det(1, 1, {1, 0, 10, 10}, 0.9),
                                           Det(1, 1, {0, 0, 10, 10}, 0.8)};
  const CocoAccumulation acc = AccumulateBoxes(gt, dets, StandardCocoEvalParams());
  EXPECT_EQ(acc.recall(4, 0, 0, 2), 1.0);  // IoU 0.7
  EXPECT_EQ(acc.recall(7, 0, 0, 2), 0.5);  // IoU 0.85
}

TEST(EvaluateBoxesTest, DetectionsOnAnEmptyImageAreFalsePositives) {
  // Image 2 has no boxes; its detection (.9) outranks the true positive on image 1 (.8): AP 1/2.
  // Image 3 has nothing at all and changes nothing. A detection on an image the ground truth does
  // not list (99) is skipped, as pycocotools refuses such results.
  CocoGroundTruth gt = MakeGroundTruth({1, 2, 3}, {1});
  AddBox(gt, 1, 1, kBoxA);
  const CocoEvalResult result =
      EvaluateBoxes(gt, {Det(2, 1, kBoxA, 0.9), Det(1, 1, kBoxA, 0.8), Det(99, 1, kBoxA, 0.99)});
  EXPECT_EQ(result.map, 0.5);
  EXPECT_EQ(result.skipped_detections, 1);
}

TEST(EvaluateBoxesTest, CategoryWithoutGroundTruthIsLeftOutOfTheMean) {
  // Category 1 is found perfectly. Category 2 has only a false positive, category 3 nothing,
  // category 4 only a crowd region: none has a counted box, so their AP is -1 and the mean is
  // over category 1 alone (1/(1+eps)), not pulled down to 1/4.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1, 2, 3, 4});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 4, kBoxB, {true, std::nullopt, false});
  const CocoEvalResult result =
      EvaluateBoxes(gt, {Det(1, 1, kBoxA, 0.9), Det(1, 2, kBoxA, 0.95), Det(1, 4, kBoxB, 0.9)});
  ASSERT_EQ(result.per_class.size(), 4u);
  EXPECT_DOUBLE_EQ(result.per_class[0].ap, 1.0);
  for (int k = 1; k < 4; ++k) {
    EXPECT_EQ(result.per_class[k].ap, -1) << k;
    EXPECT_EQ(result.per_class[k].ap50, -1) << k;
    EXPECT_EQ(result.per_class[k].num_ground_truth, 0) << k;
  }
  EXPECT_DOUBLE_EQ(result.map, 1.0);
  EXPECT_EQ(result.ar100, 1.0);
}

TEST(EvaluateBoxesTest, NoGroundTruthAtAllGivesMinusOne) {
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  const CocoEvalResult result = EvaluateBoxes(gt, {Det(1, 1, kBoxA, 0.9)});
  for (double stat : result.stats()) EXPECT_EQ(stat, -1);
}

TEST(EvaluateBoxesTest, AreaBoundsAreInclusive) {
  {
    // 32 x 32 = 1024 = 32^2 (no area field: width * height): both small and medium.
    CocoGroundTruth gt = MakeGroundTruth({1}, {1});
    AddBox(gt, 1, 1, {0, 0, 32, 32});
    const CocoEvalResult result = EvaluateBoxes(gt, {Det(1, 1, {0, 0, 32, 32}, 0.9)});
    EXPECT_DOUBLE_EQ(result.map_small, 1.0);
    EXPECT_DOUBLE_EQ(result.map_medium, 1.0);
    EXPECT_EQ(result.map_large, -1);
    EXPECT_EQ(result.ar_small, 1.0);
    EXPECT_EQ(result.ar_medium, 1.0);
    EXPECT_EQ(result.ar_large, -1);
  }
  {
    // 96 x 96 = 9216 = 96^2: both medium and large.
    CocoGroundTruth gt = MakeGroundTruth({1}, {1});
    AddBox(gt, 1, 1, {0, 0, 96, 96});
    const CocoEvalResult result = EvaluateBoxes(gt, {Det(1, 1, {0, 0, 96, 96}, 0.9)});
    EXPECT_EQ(result.map_small, -1);
    EXPECT_DOUBLE_EQ(result.map_medium, 1.0);
    EXPECT_DOUBLE_EQ(result.map_large, 1.0);
  }
}

TEST(EvaluateBoxesTest, GroundTruthAreaFieldWinsOverTheBox) {
  // A 100 x 100 box whose 'area' (e.g. of its mask) is 500 is small; its matched detection
  // (area 10000) is a true positive there although the detection itself is large.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA, {false, 500.0, false});
  const CocoEvalResult result = EvaluateBoxes(gt, {Det(1, 1, kBoxA, 0.9)});
  EXPECT_DOUBLE_EQ(result.map_small, 1.0);
  EXPECT_EQ(result.map_large, -1);
}

TEST(EvaluateBoxesTest, UnmatchedDetectionsOutsideTheAreaRangeAreIgnored) {
  // A small box (area 100) found at .8, and an unmatched detection ranked above it at .9.
  // In 'all' that detection is a FP: AP 1/2. In 'small' it is ignored when its own area is
  // outside [0, 1024] (here 10000, and 32 x 33 = 1056), giving 1/(1+eps); at exactly 32 x 32 =
  // 1024 it is inside the range and stays a FP (AP 1/2).
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, {0, 0, 10, 10});
  const CocoDetection tp = Det(1, 1, {0, 0, 10, 10}, 0.8);
  const CocoEvalResult large_fp = EvaluateBoxes(gt, {Det(1, 1, kFarAway, 0.9), tp});
  EXPECT_EQ(large_fp.map, 0.5);
  EXPECT_DOUBLE_EQ(large_fp.map_small, 1.0);
  EXPECT_EQ(large_fp.map_large, -1);
  EXPECT_EQ(EvaluateBoxes(gt, {Det(1, 1, {500, 500, 32, 33}, 0.9), tp}).map_small,
            kFirstRankPrecision);
  EXPECT_EQ(EvaluateBoxes(gt, {Det(1, 1, {500, 500, 32, 32}, 0.9), tp}).map_small, 0.5);
}

TEST(EvaluateBoxesTest, MaxDetsApplyPerImage) {
  // Image 1: FP (.9) above TP (.8); image 2: TP (.7). maxDets 1 keeps the FP of image 1 and the
  // TP of image 2: recall 1/2. maxDets 10 keeps all: recall 1.
  CocoGroundTruth gt = MakeGroundTruth({1, 2}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 2, 1, kBoxA);
  const CocoEvalResult result =
      EvaluateBoxes(gt, {Det(1, 1, kFarAway, 0.9), Det(1, 1, kBoxA, 0.8), Det(2, 1, kBoxA, 0.7)});
  EXPECT_EQ(result.ar1, 0.5);
  EXPECT_EQ(result.ar10, 1.0);
  EXPECT_EQ(result.ar100, 1.0);
}

TEST(EvaluateBoxesTest, MaxDetsCapAtOneHundredPerImage) {
  // 101 disjoint 10 x 10 boxes on one image, each detected exactly, scores descending. Only the
  // best 100 detections count: recall 100/101 (ar100), 10/101 (ar10), 1/101 (ar1). Precision is 1
  // up to recall 100/101 = 0.990099 >= 0.99, and the last threshold (1.0) is never reached (0):
  // AP = 100/101.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  std::vector<CocoDetection> dets;
  for (int i = 0; i < 101; ++i) {
    const CocoBox box{(i % 11) * 20.0, (i / 11) * 20.0, 10, 10};
    AddBox(gt, 1, 1, box);
    dets.push_back(Det(1, 1, box, 1.0 - i * 0.001));
  }
  const CocoEvalResult result = EvaluateBoxes(gt, dets);
  EXPECT_DOUBLE_EQ(result.ar100, 100.0 / 101.0);
  EXPECT_DOUBLE_EQ(result.ar10, 10.0 / 101.0);
  EXPECT_DOUBLE_EQ(result.ar1, 1.0 / 101.0);
  EXPECT_DOUBLE_EQ(result.map, 100.0 / 101.0);
}

TEST(EvaluateBoxesTest, IgnoreFieldFollowsPycocotoolsUnlessHonored) {
  // G2 carries ignore = 1 (not crowd) and is not detected; G1 is found exactly.
  CocoGroundTruth gt = MakeGroundTruth({1}, {1});
  AddBox(gt, 1, 1, kBoxA);
  AddBox(gt, 1, 1, kBoxB, {false, std::nullopt, true});
  const std::vector<CocoDetection> dets = {Det(1, 1, kBoxA, 0.8)};
  // pycocotools overwrites 'ignore' with 'iscrowd': G2 counts and is missed. Recall 1/2: the 51
  // thresholds up to 0.5 read 1/(1+eps), the other 50 read 0: AP = 51/101 (times 1/(1+eps)).
  const CocoEvalResult plain = EvaluateBoxes(gt, dets);
  EXPECT_DOUBLE_EQ(plain.map, 51.0 / 101.0);
  EXPECT_EQ(plain.ar100, 0.5);
  EXPECT_EQ(plain.per_class[0].num_ground_truth, 2);
  // Honored, G2 is ignored like a crowd region without crowd IoU: the miss does not count.
  const CocoEvalResult honored = EvaluateBoxes(gt, dets, {/*honor_ignore_field=*/true});
  EXPECT_DOUBLE_EQ(honored.map, 1.0);
  EXPECT_EQ(honored.ar100, 1.0);
  EXPECT_EQ(honored.per_class[0].num_ground_truth, 1);
  // A detection of G2 ranked first is then ignored rather than a FP (which would give AP 1/2).
  const CocoEvalResult honored_hit =
      EvaluateBoxes(gt, {Det(1, 1, kBoxB, 0.9), Det(1, 1, kBoxA, 0.8)}, {true});
  EXPECT_DOUBLE_EQ(honored_hit.map, 1.0);
}

}  // namespace
}  // namespace labelloop
