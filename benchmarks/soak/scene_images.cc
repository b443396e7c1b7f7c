#include "benchmarks/soak/scene_images.h"

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "absl/strings/str_format.h"

namespace labelloop {

Scene MakeScene(int64_t index, uint64_t seed, int width, int height) {
  std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(index));
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  Scene scene;
  scene.name = absl::StrFormat("scene-%06d.jpg", index);
  scene.width = width;
  scene.height = height;

  // Background: a gradient between two dull colours, plus noise, so no two images are alike.
  cv::Mat image(height, width, CV_8UC3);
  const cv::Vec3f from(60 + 80 * unit(rng), 60 + 80 * unit(rng), 60 + 80 * unit(rng));
  const cv::Vec3f to(60 + 80 * unit(rng), 60 + 80 * unit(rng), 60 + 80 * unit(rng));
  for (int y = 0; y < height; ++y) {
    const float t = static_cast<float>(y) / static_cast<float>(std::max(1, height - 1));
    const cv::Vec3f row = from * (1 - t) + to * t;
    for (int x = 0; x < width; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(row[0], row[1], row[2]);
  }
  cv::Mat noise(height, width, CV_8UC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(12));
  image += noise;

  // Objects: each class its own shape and colour family.
  const int objects = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < objects; ++i) {
    const int cls = static_cast<int>(rng() % SceneClasses().size());
    float w = width * (0.15f + 0.25f * unit(rng));
    float h = height * (0.15f + 0.25f * unit(rng));
    if (cls == 2) h = std::max(4.0f, h * 0.3f);  // bars are flat
    const float x1 = unit(rng) * (width - w);
    const float y1 = unit(rng) * (height - h);
    const cv::Scalar colour = cls == 0   ? cv::Scalar(40, 40, 200 + 50 * unit(rng))
                              : cls == 1 ? cv::Scalar(200 + 50 * unit(rng), 60, 40)
                                         : cv::Scalar(40, 200 + 50 * unit(rng), 220);
    const cv::Point p1(static_cast<int>(x1), static_cast<int>(y1));
    const cv::Point p2(static_cast<int>(x1 + w), static_cast<int>(y1 + h));
    if (cls == 1) {
      cv::ellipse(image, (p1 + p2) / 2, cv::Size(static_cast<int>(w / 2), static_cast<int>(h / 2)),
                  0, 0, 360, colour, cv::FILLED);
    } else {
      cv::rectangle(image, p1, p2, colour, cv::FILLED);
    }
    scene.boxes.push_back({static_cast<float>(p1.x), static_cast<float>(p1.y),
                           static_cast<float>(p2.x), static_cast<float>(p2.y), cls});
  }
  std::vector<uchar> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  scene.jpeg.assign(bytes.begin(), bytes.end());
  return scene;
}

}  // namespace labelloop
