#!/usr/bin/python3
"""Pre-trains a torchvision ResNet backbone for the Fashion-scenes benchmark, on OTHER classes.

Detectors are almost never trained from nothing: teams start from an ImageNet backbone. This
machine has no ImageNet weights, and a ResNet trained from scratch inside FCOS learns slowly
because its batch norms are frozen (identity before any pre-training), so active-learning curves
measured from scratch mostly show when each model "takes off". This script makes the stand-in for
a downloaded ImageNet backbone: a ResNet classifier trained on the Fashion-MNIST *train* split,
items pasted on the same kind of cluttered background as the scenes, using only classes that the
benchmark's scenes do NOT contain (by default the six that `--classes=1,5,8,9` leaves out). So
the backbone learns clothing shapes and clutter, never the benchmark's classes or labels, and the
scenes' test split (t10k items) is never touched.

    pretrain_backbone.py --out=resnet18_fashion_other.pth [--exclude=1,5,8,9] [--steps=1500]
        [--batch=64] [--canvas=64] [--arch=resnet18] [--threads=2] [--seed=1]

writes `torch.save(model.state_dict())` (a plain ResNet state_dict with its `fc` layer, which
labelloop's warm start drops) and prints the held-out accuracy on t10k items of the same classes.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compose_scenes  # noqa: E402  (the scenes' item loading, resizing and backgrounds)


def make_batch(rng, images, labels, by_class, classes, batch, canvas):
    """`batch` items of `classes`, each pasted at a random scale and place on a cluttered canvas,
    the way compose_scenes pastes them (scaled to the detector's input size)."""
    out = np.empty((batch, canvas, canvas, 3), np.float32)
    target = np.empty(batch, np.int64)
    for i in range(batch):
        k = int(rng.integers(len(classes)))
        item = images[rng.choice(by_class[classes[k]])]
        img = compose_scenes.background(rng, canvas)
        scale = int(rng.integers(canvas // 4, canvas * 5 // 8 + 1))
        x0, y0 = (int(v) for v in rng.integers(0, canvas - scale + 1, 2))
        big = compose_scenes.resize_nearest_bilinear(item, scale)
        alpha = np.clip(big / 255.0 * 1.6, 0, 1)[..., None]
        tint = rng.uniform(150, 255, 3) if rng.random() < 0.7 else rng.uniform(0, 90, 3)
        region = img[y0:y0 + scale, x0:x0 + scale]
        img[y0:y0 + scale, x0:x0 + scale] = region * (1 - alpha) + (big / 255.0)[..., None] * tint * alpha
        out[i] = np.clip(img, 0, 255)
        target[i] = k
    # ImageNet normalisation, as labelloop's transform applies it.
    mean = np.array([0.485, 0.456, 0.406], np.float32) * 255
    std = np.array([0.229, 0.224, 0.225], np.float32) * 255
    x = torch.from_numpy(((out - mean) / std).transpose(0, 3, 1, 2).copy())
    return x, torch.from_numpy(target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--exclude", default="1,5,8,9",
                        help="Fashion-MNIST classes the benchmark's scenes use (never trained on)")
    parser.add_argument("--arch", default="resnet18")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--canvas", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    excluded = {int(c) for c in args.exclude.split(",")}
    classes = [c for c in range(10) if c not in excluded]
    train_images, train_labels = compose_scenes.load_split("train")
    test_images, test_labels = compose_scenes.load_split("test")
    train_by_class = {c: np.flatnonzero(train_labels == c) for c in classes}
    test_by_class = {c: np.flatnonzero(test_labels == c) for c in classes}

    model = getattr(torchvision.models, args.arch)(num_classes=len(classes))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                   total_steps=args.steps, pct_start=0.1)
    print(f"pre-training {args.arch} on Fashion-MNIST classes "
          f"{[compose_scenes.CLASS_NAMES[c] for c in classes]} ({args.steps} steps of "
          f"{args.batch} at {args.canvas} px)", flush=True)
    start = time.time()
    model.train()
    for step in range(1, args.steps + 1):
        x, y = make_batch(rng, train_images, train_labels, train_by_class, classes, args.batch,
                          args.canvas)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 50 == 0 or step == args.steps:
            elapsed = time.time() - start
            eta = elapsed / step * (args.steps - step)
            print(f"step {step}/{args.steps} loss {loss.item():.3f} "
                  f"{step * args.batch / elapsed:.0f} img/s eta {eta:.0f} s", flush=True)

    model.eval()
    eval_rng = np.random.default_rng(args.seed + 1000)
    correct = total = 0
    with torch.no_grad():
        for _ in range(16):
            x, y = make_batch(eval_rng, test_images, test_labels, test_by_class, classes, 64,
                              args.canvas)
            correct += int((model(x).argmax(1) == y).sum())
            total += len(y)
    torch.save(model.state_dict(), args.out)
    print(f"held-out accuracy on t10k items of the same classes: {correct / total:.3f} "
          f"({total} items); wrote {args.out}")


if __name__ == "__main__":
    main()
