// Smoke test of the detector core on the best device LibTorch offers: a few SGD steps on a
// synthetic image, then detection, with timings. Exits non-zero if anything is off.
//
// Usage: fcos_smoke [small|resnet50] [steps]

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string>

#include "inference/fcos.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string variant = argc > 1 ? argv[1] : "small";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 5;
  labelloop::FcosOptions options = variant == "resnet50"
                                       ? labelloop::FcosOptions::TorchvisionResnet50(91)
                                       : labelloop::FcosOptions{};
  if (variant != "resnet50") options.num_classes = 4;
  const torch::Device device = torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  std::cout << "device " << device << ", variant " << variant << "\n";
  torch::manual_seed(0);

  labelloop::Fcos model(options);
  model->to(device);
  model->train();
  // An image with two bright rectangles to find.
  auto image = torch::rand({3, 480, 640}) * 0.2;
  image.slice(1, 100, 200).slice(2, 100, 260).fill_(0.9);
  image.slice(1, 300, 420).slice(2, 400, 520).fill_(0.7);
  labelloop::DetectionTarget target{
      torch::tensor({{100.f, 100.f, 260.f, 200.f}, {400.f, 300.f, 520.f, 420.f}}),
      torch::tensor({1, 2}, torch::kInt64).clamp_max(options.num_classes - 1)};
  std::vector<torch::Tensor> images = {image, image.flip(2)};
  labelloop::DetectionTarget flipped{
      torch::tensor({{380.f, 100.f, 540.f, 200.f}, {120.f, 300.f, 240.f, 420.f}}), target.labels};
  std::vector<labelloop::DetectionTarget> targets = {target, flipped};
  for (auto& t : targets) t = {t.boxes.to(device), t.labels.to(device)};

  std::vector<torch::Tensor> trainable;
  for (auto& p : model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  torch::optim::SGD sgd(trainable, torch::optim::SGDOptions(0.01).momentum(0.9));
  double first_loss = 0, last_loss = 0;
  auto start = std::chrono::steady_clock::now();
  for (int step = 0; step < steps; ++step) {
    auto losses = model->Losses(images, targets);
    auto total = losses.Total();
    sgd.zero_grad();
    total.backward();
    sgd.step();
    last_loss = total.item<double>();
    if (step == 0) first_loss = last_loss;
    std::cout << "step " << step << " loss " << last_loss << " (cls "
              << losses.classification.item<double>() << ", giou "
              << losses.bbox_regression.item<double>() << ", ctr "
              << losses.bbox_ctrness.item<double>() << ")\n";
    if (!std::isfinite(last_loss)) return 1;
  }
  Sync(device);
  std::cout << "train: " << steps * images.size() / Seconds(start) << " images/s\n";

  model->eval();
  model->Detect(images);  // warm-up
  Sync(device);
  start = std::chrono::steady_clock::now();
  const int rounds = 5;
  std::vector<labelloop::Detections> detections;
  for (int i = 0; i < rounds; ++i) detections = model->Detect(images);
  Sync(device);
  std::cout << "detect: " << rounds * images.size() / Seconds(start) << " images/s, "
            << detections[0].boxes.size(0) << " detections on image 0\n";
  std::cout << "loss " << first_loss << " -> " << last_loss << "\n";
  return 0;
}
