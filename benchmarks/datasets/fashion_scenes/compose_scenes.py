#!/usr/bin/python3
"""Composes object-detection scenes from Debian's Fashion-MNIST, as COCO JSON and PNG images.

Each scene is a small cluttered background (gradient, noise, random shapes) with Fashion-MNIST
items pasted at several scales. Train scenes take their items from the train split and test
scenes from the t10k split, so no item is seen in both. Everything is seeded: the same flags give
the same files, byte for byte.

    compose_scenes.py --split=train --count=300 --out=DIR [--seed=1] [--size=160]
        [--min-objects=1] [--max-objects=4] [--min-scale=24] [--max-scale=72]
        [--occlusion=0.3] [--imbalance=4.0] [--classes=0,1,...]

writes DIR/images/NNNNNN.png and DIR/annotations.json.

Why these knobs: active learning pays off when the pool is uneven. --imbalance makes some classes
rare (class k is drawn with weight imbalance^(-k/(K-1)), so the last class is `imbalance` times
rarer than the first), --max-objects varies the work per image, and --occlusion lets items
overlap so some boxes are hard.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import zlib

import numpy as np

CLASS_NAMES = ["tshirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "boot"]
MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(MNIST_DIR, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(MNIST_DIR, prefix + "-labels-idx1-ubyte.gz"))
    return images, labels


def write_png(path, rgb):
    """A plain RGB PNG with zlib, so the tool needs only numpy."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def resize_nearest_bilinear(item, size):
    """Bilinear resize of a 28x28 item to size x size (numpy only)."""
    src = item.astype(np.float32)
    coords = (np.arange(size) + 0.5) * (28.0 / size) - 0.5
    coords = np.clip(coords, 0, 27)
    lo = np.floor(coords).astype(int)
    hi = np.minimum(lo + 1, 27)
    frac = coords - lo
    rows = src[lo] * (1 - frac)[:, None] + src[hi] * frac[:, None]
    return rows[:, lo] * (1 - frac)[None, :] + rows[:, hi] * frac[None, :]


def background(rng, size):
    """A gradient, noise and a few random filled rectangles and discs: clutter that is not an
    object, so the detector must learn shapes rather than 'anything bright'."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = rng.uniform(0, 120, 3)
    slope = rng.uniform(-60, 60, (2, 3))
    img = base + xx[..., None] * slope[0] + yy[..., None] * slope[1]
    for _ in range(rng.integers(2, 7)):
        color = rng.uniform(0, 200, 3)
        if rng.random() < 0.5:
            x0, y0 = rng.integers(0, size, 2)
            w, h = rng.integers(4, size // 3, 2)
            img[y0:y0 + h, x0:x0 + w] = color
        else:
            cx, cy = rng.uniform(0, size, 2)
            r = rng.uniform(3, size / 6)
            mask = (xx * size - cx) ** 2 + (yy * size - cy) ** 2 < r * r
            img[mask] = color
    img += rng.normal(0, rng.uniform(4, 18), img.shape)
    return img


def box_iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def compose(args):
    # The split is part of the seed, so train and test scenes never share a layout.
    rng = np.random.default_rng([args.seed, 0 if args.split == "train" else 1])
    images, labels = load_split(args.split)
    classes = [int(c) for c in args.classes.split(",")]
    k = len(classes)
    weights = np.array([args.imbalance ** (-i / max(1, k - 1)) for i in range(k)])
    weights /= weights.sum()
    by_class = {c: np.flatnonzero(labels == c) for c in classes}

    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    coco = {"images": [], "annotations": [],
            "categories": [{"id": i + 1, "name": CLASS_NAMES[c]} for i, c in enumerate(classes)]}
    next_ann = 1
    for index in range(args.count):
        size = args.size
        img = background(rng, size)
        placed = []
        wanted = int(rng.integers(args.min_objects, args.max_objects + 1))
        tries = 0
        while len(placed) < wanted and tries < 50 * wanted:
            tries += 1
            cls_index = int(rng.choice(k, p=weights))
            item = images[rng.choice(by_class[classes[cls_index]])]
            scale = int(rng.integers(args.min_scale, args.max_scale + 1))
            x0, y0 = (int(v) for v in rng.integers(0, size - scale + 1, 2))
            # The item's own tight box inside its 28x28 cell, scaled.
            big = resize_nearest_bilinear(item, scale)
            ys, xs = np.nonzero(big > 20)
            if len(xs) == 0:
                continue
            box = [x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1]
            # Occlusion: overlap with earlier items is allowed up to the limit (0: none).
            if any(box_iou(box, p[1]) > args.occlusion for p in placed):
                continue
            alpha = np.clip(big / 255.0 * 1.6, 0, 1)[..., None]
            tint = rng.uniform(150, 255, 3) if rng.random() < 0.7 else rng.uniform(0, 90, 3)
            shade = (big / 255.0)[..., None] * tint
            region = img[y0:y0 + scale, x0:x0 + scale]
            img[y0:y0 + scale, x0:x0 + scale] = region * (1 - alpha) + shade * alpha
            placed.append((cls_index, box))
        name = "%06d.png" % index
        write_png(os.path.join(args.out, "images", name),
                  np.clip(img, 0, 255).astype(np.uint8))
        image_id = index + 1
        coco["images"].append({"id": image_id, "file_name": name, "width": size, "height": size})
        for cls_index, box in placed:
            w, h = float(box[2] - box[0]), float(box[3] - box[1])
            coco["annotations"].append({
                "id": next_ann, "image_id": image_id, "category_id": cls_index + 1,
                "bbox": [float(box[0]), float(box[1]), w, h], "area": w * h, "iscrowd": 0})
            next_ann += 1
    with open(os.path.join(args.out, "annotations.json"), "w") as f:
        json.dump(coco, f)
    counts = np.bincount([a["category_id"] - 1 for a in coco["annotations"]], minlength=k)
    print("%d scenes, %d boxes, per class %s -> %s" %
          (args.count, len(coco["annotations"]), counts.tolist(), args.out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["train", "test"], required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--min-objects", type=int, default=1)
    parser.add_argument("--max-objects", type=int, default=4)
    parser.add_argument("--min-scale", type=int, default=24)
    parser.add_argument("--max-scale", type=int, default=72)
    parser.add_argument("--occlusion", type=float, default=0.3,
                        help="largest IoU allowed between two items' boxes")
    parser.add_argument("--imbalance", type=float, default=4.0,
                        help="how many times rarer the last class is than the first")
    parser.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9",
                        help="Fashion-MNIST class indices to use")
    args = parser.parse_args()
    if args.max_scale > args.size or args.min_scale < 8 or args.min_scale > args.max_scale:
        sys.exit("need 8 <= min-scale <= max-scale <= size")
    if args.min_objects < 0 or args.max_objects < args.min_objects:
        sys.exit("need 0 <= min-objects <= max-objects")
    compose(args)


if __name__ == "__main__":
    main()
