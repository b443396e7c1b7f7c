#!/usr/bin/python3
"""Checkpoints and annotations for the offline model tool tests (model_tool_test.cc).

  model_tool_fixtures.py OUT_DIR COCO_JSON NUM_IMAGES

writes into OUT_DIR:
  facemask.safetensors  the seeded small FCOS of tests/inference/checkpoint (resnet18, FPN 64,
                        2 head convs, 3 classes), in labelloop's safetensors format with the
                        facemask categories as class_names metadata
  facemask.pth          the same weights as torch.save(state_dict()): no class names
  six_classes.safetensors
                        a 6-class model whose metadata still names the 3 facemask classes: a
                        checkpoint that does not fit what it claims
  annotations.json      COCO_JSON cut down to its first NUM_IMAGES images and their boxes
The model code is the checkpoint tests' (reused, not copied), so both test the same network.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inference",
                                "checkpoint"))
import checkpoint_fixtures  # noqa: E402


def class_names(coco):
    return [c["name"] for c in sorted(coco["categories"], key=lambda c: c["id"])]


def main():
    out_dir, coco_path, num_images = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out_dir, exist_ok=True)
    with open(coco_path) as f:
        coco = json.load(f)
    names = class_names(coco)
    assert len(names) + 1 == checkpoint_fixtures.NUM_CLASSES, names
    metadata = {"class_names": json.dumps(names), "format_version": "1"}

    state_dict = checkpoint_fixtures.seeded_model().state_dict()
    checkpoint_fixtures.write_safetensors(os.path.join(out_dir, "facemask.safetensors"),
                                          state_dict, metadata)
    torch.save(state_dict, os.path.join(out_dir, "facemask.pth"))

    torch.manual_seed(1)
    six = checkpoint_fixtures.build_model(7).state_dict()
    checkpoint_fixtures.write_safetensors(os.path.join(out_dir, "six_classes.safetensors"), six,
                                          metadata)

    images = coco["images"][:num_images]
    ids = {image["id"] for image in images}
    reduced = dict(coco)
    reduced["images"] = images
    reduced["annotations"] = [a for a in coco["annotations"] if a["image_id"] in ids]
    with open(os.path.join(out_dir, "annotations.json"), "w") as f:
        json.dump(reduced, f)


if __name__ == "__main__":
    main()
