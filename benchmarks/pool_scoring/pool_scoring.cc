// How fast the sampler re-scores a pool and picks a batch. Two numbers:
//   1. images/s through ImageScorer (detections with class probabilities + pooled embedding,
//      optionally the flip and rescale TTA views) with the small CPU detector at its default
//      sizes, randomly initialised: speed does not depend on the weights, and an untrained head
//      puts many detections above the 0.05 scoring threshold, the slow case for post-processing;
//   2. milliseconds for one hybrid SelectBatch(32) over a synthetic pool of --pool images, with
//      embeddings only for the candidate set, as a caller with a large pool would pass them.
// Prints one JSON line.
//
// Usage: pool_scoring IMAGE_DIR [--threads N] [--batch B] [--images K] [--tta] [--pool P]
//                     [--score-thresh S]
// (an untrained head scores every location ~0.07, so at the default 0.05 NMS sees
// topk_candidates boxes per level: the worst case; --score-thresh 0.2 shows the network alone)

#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "inference/fcos.h"
#include "inference/image_tensor.h"
#include "sampler/batch_selection.h"
#include "sampler/image_score.h"
#include "sampler/image_scorer.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  // As in detector_throughput: keep freed activation blocks instead of returning them to the OS.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (argc < 2) {
    std::cerr << "usage: pool_scoring IMAGE_DIR [--threads N] [--batch B] [--images K] [--tta] "
                 "[--pool P] [--score-thresh S]\n";
    return 2;
  }
  const std::string dir = argv[1];
  int threads = 2, batch = 4, count = 32, pool_size = 1000000;
  bool tta = false;
  double score_thresh = 0.05;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--tta") {
      tta = true;
    } else if (i + 1 < argc && flag == "--threads") {
      threads = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--batch") {
      batch = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--images") {
      count = std::stoi(argv[++i]);
    } else if (i + 1 < argc && flag == "--score-thresh") {
      score_thresh = std::stod(argv[++i]);
    } else if (i + 1 < argc && flag == "--pool") {
      pool_size = std::stoi(argv[++i]);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  torch::set_num_threads(threads);

  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.size() > static_cast<size_t>(count)) paths.resize(count);
  std::vector<torch::Tensor> images;
  for (const auto& path : paths) {
    cv::Mat mat = cv::imread(path, cv::IMREAD_COLOR);
    if (!mat.empty()) images.push_back(labelloop::MatToRgbTensor(mat));
  }
  if (images.empty()) {
    std::cerr << "no images in " << dir << "\n";
    return 1;
  }

  torch::manual_seed(0);
  labelloop::FcosOptions detector;
  detector.num_classes = 4;
  labelloop::Fcos model(detector);
  model->eval();
  labelloop::ImageScorerOptions scorer_options;
  scorer_options.score_thresh = score_thresh;
  scorer_options.flip_view = tta;
  scorer_options.rescale_factor = tta ? 0.8 : 0.0;
  labelloop::ImageScorer scorer(model.ptr(), scorer_options);
  labelloop::SamplerOptions sampler_options;

  scorer.Score({images[0]});  // warm-up
  size_t detections = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < images.size(); i += batch) {
    const size_t end = std::min(images.size(), i + batch);
    std::vector<torch::Tensor> chunk(images.begin() + i, images.begin() + end);
    for (const auto& scored : scorer.Score(chunk)) {
      labelloop::ScoreImage(scored.detections, scored.views, sampler_options);
      detections += scored.detections.size();
    }
  }
  const double scoring_seconds = Seconds(start);

  // Selection over a large synthetic pool.
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> unit(0, 1);
  labelloop::PoolScores pool;
  pool.uncertainty.resize(pool_size);
  for (double& u : pool.uncertainty) u = unit(rng);
  pool.embeddings.resize(pool_size);
  labelloop::LabeledSet labeled;
  const size_t dim = 5 * static_cast<size_t>(detector.fpn_channels);
  for (int i = 0; i < 1000; ++i) {
    labelloop::Embedding e(dim);
    for (float& x : e) x = unit(rng);
    labeled.embeddings.push_back(std::move(e));
  }
  labelloop::BatchSelectionOptions selection;
  const auto select_start = std::chrono::steady_clock::now();
  for (int index : labelloop::HybridCandidates(pool, labeled, 32, selection)) {
    pool.embeddings[index].resize(dim);
    for (float& x : pool.embeddings[index]) x = unit(rng);
  }
  auto picked = labelloop::SelectBatch(pool, labeled, 32, selection, 7);
  const double select_seconds = Seconds(select_start);
  if (!picked.ok()) {
    std::cerr << picked.status() << "\n";
    return 1;
  }

  nlohmann::json out = {
      {"images", images.size()},
      {"batch", batch},
      {"threads", threads},
      {"tta", tta},
      {"score_thresh", score_thresh},
      {"min_size", detector.min_size},
      {"max_size", detector.max_size},
      {"images_per_s", static_cast<double>(images.size()) / scoring_seconds},
      {"mean_detections", static_cast<double>(detections) / static_cast<double>(images.size())},
      {"pool", pool_size},
      {"labeled", labeled.embeddings.size()},
      {"select_batch32_ms", 1000.0 * select_seconds},
  };
  std::cout << out.dump() << std::endl;
  return 0;
}
