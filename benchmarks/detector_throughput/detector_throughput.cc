// labelloop FCOS side of the detector throughput benchmark: loads the weights, images and
// targets that torchvision_throughput.py wrote, and times inference (eval, inference mode) and
// training steps (forward + backward + SGD step) the same way. Prints one JSON line.
//
// Usage: detector_throughput DIR --threads N --iters K [--warmup W]

#include <malloc.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inference/fcos.h"
#include "tests/inference/reference_tensors.h"

namespace {

template <typename Fn>
double Timed(Fn&& fn, int warmup, int iters) {
  for (int i = 0; i < warmup; ++i) fn();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

labelloop::FcosOptions OptionsFrom(const nlohmann::json& c) {
  labelloop::FcosOptions o;
  o.backbone = c.at("backbone");
  o.num_classes = c.at("num_classes");
  o.fpn_channels = c.at("fpn_channels");
  o.head_convs = c.at("head_convs");
  o.min_size = c.at("min_size");
  o.max_size = c.at("max_size");
  o.score_thresh = c.at("score_thresh");
  o.nms_thresh = c.at("nms_thresh");
  o.detections_per_img = c.at("detections_per_img");
  o.topk_candidates = c.at("topk_candidates");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc returns large freed blocks to the OS (mmap/trim) by default, so every step pays page
  // faults to get its activations back; Python's benchmark gets the same settings through
  // MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (argc < 2) {
    std::cerr << "usage: detector_throughput DIR [--threads N] [--iters K] [--warmup W]\n";
    return 2;
  }
  const std::string dir = argv[1];
  int threads = 2, iters = 10, warmup = 2;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--iters")) iters = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--warmup")) warmup = std::atoi(argv[i + 1]);
  }
  torch::set_num_threads(threads);

  const auto data = labelloop::testing::LoadReferenceData(dir);
  const int batch = data.meta.at("batch");
  labelloop::Fcos model(OptionsFrom(data.meta.at("config")));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->named_parameters()) p.value().copy_(data.at("state_dict/" + p.key()));
    for (auto& b : model->named_buffers()) b.value().copy_(data.at("state_dict/" + b.key()));
  }
  std::vector<torch::Tensor> images;
  std::vector<labelloop::DetectionTarget> targets;
  for (int i = 0; i < batch; ++i) {
    const std::string id = std::to_string(i);
    images.push_back(data.at("image/" + id));
    targets.push_back({data.at("target/" + id + "/boxes"), data.at("target/" + id + "/labels")});
  }

  model->eval();
  int64_t detections = 0;
  const double infer_s = Timed(
      [&] {
        torch::InferenceMode inference_mode;
        detections = 0;
        for (const auto& d : model->Detect(images)) detections += d.boxes.size(0);
      },
      warmup, iters);

  model->train();
  std::vector<torch::Tensor> trainable;
  for (auto& p : model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  torch::optim::SGD sgd(trainable, torch::optim::SGDOptions(0.001).momentum(0.9));
  const double train_s = Timed(
      [&] {
        auto total = model->Losses(images, targets).Total();
        sgd.zero_grad();
        total.backward();
        sgd.step();
      },
      warmup, iters);

  const double n = static_cast<double>(iters) * batch;
  std::cout << nlohmann::json{{"impl", "labelloop"},
                              {"threads", torch::get_num_threads()},
                              {"batch", batch},
                              {"detections", detections},
                              {"infer_images_per_s", n / infer_s},
                              {"train_images_per_s", n / train_s}}
                   .dump()
            << std::endl;
  return 0;
}
