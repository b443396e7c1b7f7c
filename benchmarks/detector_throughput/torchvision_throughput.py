#!/usr/bin/python3
"""torchvision FCOS side of the detector throughput benchmark.

Builds the same small FCOS as the parity test (tests/inference/fcos_reference.py), writes its
weights, the input images and targets to OUT_DIR for the C++ side, and times torchvision's eager
model on them: inference (eval, no_grad) and training steps (forward + backward + SGD step).
Prints one JSON line.

Usage: torchvision_throughput.py OUT_DIR DATASETS_DIR --threads N --batch B --iters K
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "inference"))
import fcos_reference  # noqa: E402  (same model construction and tensor format as the tests)


def timed(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("datasets")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)

    bccd = os.path.join(args.datasets, "bccd")
    names = sorted(f[:-4] for f in os.listdir(os.path.join(bccd, "JPEGImages")))[:args.batch]
    images = [fcos_reference.load_image(os.path.join(bccd, "JPEGImages", n + ".jpg"))
              for n in names]
    targets = [fcos_reference.load_voc_boxes(os.path.join(bccd, "Annotations", n + ".xml"))
               for n in names]
    model = fcos_reference.build_model(torch.stack([
        torch.nn.functional.interpolate(img[None], size=(240, 320), mode="bilinear")[0]
        for img in images]))

    writer = fcos_reference.TensorWriter(args.out_dir)
    for name, tensor in model.state_dict().items():
        writer.add("state_dict/" + name, tensor)
    for i, (img, t) in enumerate(zip(images, targets)):
        writer.add(f"image/{i}", img)
        writer.add(f"target/{i}/boxes", t["boxes"])
        writer.add(f"target/{i}/labels", t["labels"])
    writer.close({"config": fcos_reference.CONFIG, "batch": args.batch})

    model.eval()

    def infer():
        with torch.no_grad():
            return model(images)

    detections = sum(len(d["boxes"]) for d in infer())
    infer_s = timed(infer, args.warmup, args.iters)

    model.train()
    sgd = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.001,
                          momentum=0.9)

    def train_step():
        losses = model(images, targets)
        total = sum(losses.values())
        sgd.zero_grad()
        total.backward()
        sgd.step()

    train_s = timed(train_step, args.warmup, args.iters)
    n = args.iters * args.batch
    print(json.dumps({"impl": "torchvision", "threads": torch.get_num_threads(),
                      "batch": args.batch, "detections": detections,
                      "infer_images_per_s": n / infer_s, "train_images_per_s": n / train_s}))


if __name__ == "__main__":
    main()
