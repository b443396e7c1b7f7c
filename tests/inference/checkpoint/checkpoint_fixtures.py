#!/usr/bin/python3
"""Python side of the checkpoint tests: torch.save files to read, and a reader of ours.

  checkpoint_fixtures.py make OUT_DIR
      A small torchvision FCOS (resnet18, FPN width 64, 2 head convs, 4 classes) with seeded
      weights, saved as:
        new.pth               torch.save(state_dict()), today's key spelling (zip format)
        old.pth               the same with the pre-0.13 FPN spelling (inner_blocks.0.weight)
                              and BatchNorm num_batches_tracked entries, as old files have
        legacy.pth            today's spelling in the pre-1.6 (non-zip) torch.save format
        wrapped.pth           {"model": state_dict, "epoch": 3}, as training scripts save
        reference.safetensors the same tensors, written here by hand, for bit-exact comparison
        dtypes.safetensors    one small tensor per dtype, values arange(n), metadata {"k": "v"}
        fcos_resnet50_fpn.pth torchvision's fcos_resnet50_fpn(weights=None) state_dict: the
                              full-size model, with BatchNorm2d's num_batches_tracked entries
                              (torchvision uses plain BatchNorm2d when not loading weights)
        small.pth, small_legacy.pth, small.safetensors
                              a few small tensors, two of them views into one storage (one
                              with an offset, one transposed), in both torch.save formats and
                              as the hand-written reference

  checkpoint_fixtures.py detect WEIGHTS.safetensors IMAGE.jpg OUT_DIR
      Reads a safetensors file written by labelloop (by hand: torch 1.13 has no safetensors
      package), loads it into torchvision's FCOS with load_state_dict(strict=True), runs it on
      the image and writes OUT_DIR/detections.safetensors (boxes, scores, labels, and the input
      image tensor so the C++ side sees exactly the same pixels) and OUT_DIR/metadata.json.
"""

import collections
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn
from torchvision.models.detection import FCOS
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.fcos import FCOSHead
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
from torchvision.ops.misc import FrozenBatchNorm2d

# Mirrored by SmallFcosOptions() in checkpoint_fcos_test.cc.
FPN_CHANNELS = 64
HEAD_CONVS = 2
NUM_CLASSES = 4

DTYPES = {  # safetensors name <-> torch dtype
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        # bfloat16 has no numpy dtype: reinterpret the bits as int16.
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = collections.OrderedDict()
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        raw = bytearray(body[begin:end])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        elif end > begin:
            t = torch.frombuffer(raw, dtype=dtype)
        else:
            t = torch.zeros(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


def build_model(num_classes):
    resnet = torchvision.models.resnet18(weights=None, norm_layer=FrozenBatchNorm2d)
    backbone = BackboneWithFPN(resnet, {"layer2": "0", "layer3": "1", "layer4": "2"},
                               [128, 256, 512], FPN_CHANNELS,
                               extra_blocks=LastLevelP6P7(FPN_CHANNELS, FPN_CHANNELS))
    head = FCOSHead(FPN_CHANNELS, 1, num_classes, num_convs=HEAD_CONVS)
    return FCOS(backbone, num_classes, min_size=320, max_size=512, head=head, score_thresh=0.2,
                nms_thresh=0.6, detections_per_img=100, topk_candidates=1000)


def seeded_model():
    torch.manual_seed(0)
    model = build_model(NUM_CLASSES)
    with torch.no_grad():
        # Frozen norms that keep a random ResNet's activations in range (identity norms make
        # them explode), and a head that gives many detections with distinct scores and boxes
        # of real extent, so that comparing detections means something.
        for m in model.modules():
            if isinstance(m, FrozenBatchNorm2d):
                m.weight.uniform_(0.5, 1.0)
                m.bias.uniform_(-0.1, 0.1)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(1.0, 4.0)
        for conv in model.modules():
            if isinstance(conv, nn.Conv2d):
                conv.weight.mul_(0.5)
        head = model.head
        for conv in (head.classification_head.cls_logits, head.regression_head.bbox_ctrness):
            conv.weight.normal_(0, 0.05)
            conv.bias.fill_(-0.5)
        head.regression_head.bbox_reg.weight.normal_(0, 0.02)
        head.regression_head.bbox_reg.bias.fill_(2.0)
    return model


def old_spelling(state_dict):
    out = collections.OrderedDict()
    for key, value in state_dict.items():
        for block in ("inner_blocks", "layer_blocks"):
            marker = f"fpn.{block}."
            if marker in key:
                head, rest = key.split(marker)
                index, zero, leaf = rest.split(".")
                assert zero == "0", key
                key = f"{head}{marker}{index}.{leaf}"
        out[key] = value
        if key.endswith("bn1.running_var"):  # BatchNorm2d had this; FrozenBatchNorm2d has not
            out[key.replace("running_var", "num_batches_tracked")] = torch.tensor(7)
    return out


def make(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    state_dict = seeded_model().state_dict()
    torch.save(state_dict, os.path.join(out_dir, "new.pth"))
    torch.save(old_spelling(state_dict), os.path.join(out_dir, "old.pth"))
    torch.save(state_dict, os.path.join(out_dir, "legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.save({"model": state_dict, "epoch": 3}, os.path.join(out_dir, "wrapped.pth"))
    write_safetensors(os.path.join(out_dir, "reference.safetensors"), state_dict,
                      {"source": "python"})
    dtypes = collections.OrderedDict(
        (name, torch.arange(6).reshape(2, 3).to(dtype)) for name, dtype in DTYPES.items())
    dtypes["BOOL"] = torch.tensor([[False, True, True], [True, True, True]])
    dtypes["empty"] = torch.zeros(0, 3)
    write_safetensors(os.path.join(out_dir, "dtypes.safetensors"), dtypes, {"k": "v"})
    full = torchvision.models.detection.fcos_resnet50_fpn(weights=None, weights_backbone=None)
    torch.save(full.state_dict(), os.path.join(out_dir, "fcos_resnet50_fpn.pth"))
    base = torch.randn(3, 4)
    small = collections.OrderedDict(
        base=base, row=base[1], transposed=base.t(), counts=torch.arange(5),
        half=torch.randn(2, 2).half(), flags=torch.tensor([True, False]),
        scalar=torch.tensor(1.5, dtype=torch.float64))
    torch.save(small, os.path.join(out_dir, "small.pth"))
    torch.save(small, os.path.join(out_dir, "small_legacy.pth"),
               _use_new_zipfile_serialization=False)
    write_safetensors(os.path.join(out_dir, "small.safetensors"), small)


def load_image(path):
    array = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(255)


def detect(weights, image_path, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tensors, metadata = read_safetensors(weights)
    num_classes = tensors["head.classification_head.cls_logits.bias"].shape[0]
    model = build_model(num_classes)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    image = load_image(image_path)
    with torch.no_grad():
        (d,) = model([image])
    write_safetensors(os.path.join(out_dir, "detections.safetensors"),
                      collections.OrderedDict(image=image, boxes=d["boxes"], scores=d["scores"],
                                              labels=d["labels"]))
    with open(os.path.join(out_dir, "metadata.json"), "w") as f:
        json.dump(metadata, f)


def main():
    torch.set_num_threads(1)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "detect":
        detect(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()
