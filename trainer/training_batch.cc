#include "trainer/training_batch.h"

#include <torch/torch.h>

#include "inference/image_tensor.h"

namespace labelloop {

TensorBatch ToTensorBatch(const std::vector<TrainingExample>& examples) {
  TensorBatch batch;
  batch.images.reserve(examples.size());
  batch.targets.reserve(examples.size());
  for (const TrainingExample& example : examples) {
    batch.images.push_back(MatToRgbTensor(example.image));
    const int64_t count = static_cast<int64_t>(example.boxes.size());
    torch::Tensor boxes = torch::empty({count, 4}, torch::kFloat32);
    torch::Tensor labels = torch::empty({count}, torch::kInt64);
    auto b = boxes.accessor<float, 2>();
    auto l = labels.accessor<int64_t, 1>();
    for (int64_t i = 0; i < count; ++i) {
      const TrainingBox& box = example.boxes[static_cast<size_t>(i)];
      b[i][0] = box.x1;
      b[i][1] = box.y1;
      b[i][2] = box.x2;
      b[i][3] = box.y2;
      l[i] = box.label;
    }
    batch.targets.push_back({boxes, labels});
  }
  return batch;
}

std::vector<ScoredBox> ToScoredBoxes(const Detections& detections) {
  const torch::Tensor boxes = detections.boxes.to(torch::kCPU, torch::kFloat32).contiguous();
  const torch::Tensor scores = detections.scores.to(torch::kCPU, torch::kFloat32).contiguous();
  const torch::Tensor labels = detections.labels.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t count = boxes.size(0);
  auto b = boxes.accessor<float, 2>();
  auto s = scores.accessor<float, 1>();
  auto l = labels.accessor<int64_t, 1>();
  std::vector<ScoredBox> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    out.push_back({{b[i][0], b[i][1], b[i][2], b[i][3], l[i]}, s[i]});
  }
  return out;
}

}  // namespace labelloop
