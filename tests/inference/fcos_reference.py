#!/usr/bin/python3
"""Writes a torchvision FCOS reference for the C++ parity tests.

Builds a small FCOS with torchvision 0.14's own modules (resnet18 body with FrozenBatchNorm2d,
BackboneWithFPN with returned layers 2-4 and LastLevelP6P7, FCOSHead with `num_convs`), seeded
random weights, and runs it on real images in eval mode (detections) and train mode (losses).
Everything the C++ side needs -- the state_dict, the raw input images, the targets and the
expected outputs -- goes to OUT_DIR as raw little-endian tensors listed in index.json, a format
chosen so this test does not depend on the checkpoint code.

Usage: fcos_reference.py OUT_DIR DATASETS_DIR
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

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

assert torchvision.__version__.startswith("0.14"), torchvision.__version__

# The small CPU variant; mirrored in fcos_parity_test.cc through config.json.
CONFIG = {
    "backbone": "resnet18",
    "num_classes": 4,  # background + RBC, WBC, Platelets
    "fpn_channels": 64,
    "head_convs": 2,
    "min_size": 320,
    "max_size": 512,
    "score_thresh": 0.65,
    "nms_thresh": 0.6,
    "detections_per_img": 100,
    "topk_candidates": 1000,
}
BCCD_CLASSES = {"RBC": 1, "WBC": 2, "Platelets": 3}


def load_image(path):
    """Float RGB [3, H, W] in [0, 1], as torchvision's to_tensor gives."""
    array = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(255)


def load_voc_boxes(path):
    root = ET.parse(path).getroot()
    boxes, labels = [], []
    for obj in root.iter("object"):
        b = obj.find("bndbox")
        box = [float(b.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")]
        if box[2] > box[0] and box[3] > box[1]:
            boxes.append(box)
            labels.append(BCCD_CLASSES[obj.find("name").text])
    return {"boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
            "labels": torch.tensor(labels, dtype=torch.int64)}


def build_backbone(calibration_images):
    # BatchNorm statistics calibrated on the test images, then frozen: with identity frozen
    # norms a randomly initialised ResNet's activations explode, which would make the comparison
    # meaningless at the given tolerances.
    bn_resnet = torchvision.models.resnet18(weights=None, norm_layer=nn.BatchNorm2d)
    for m in bn_resnet.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    bn_resnet.train()
    with torch.no_grad():
        bn_resnet(calibration_images)
    resnet = torchvision.models.resnet18(weights=None, norm_layer=FrozenBatchNorm2d)
    resnet.load_state_dict(bn_resnet.state_dict())
    c = CONFIG["fpn_channels"]
    return BackboneWithFPN(resnet, {"layer2": "0", "layer3": "1", "layer4": "2"}, [128, 256, 512],
                           c, extra_blocks=LastLevelP6P7(c, c))


def build_model(calibration_images):
    backbone = build_backbone(calibration_images)
    head = FCOSHead(CONFIG["fpn_channels"], 1, CONFIG["num_classes"], num_convs=CONFIG["head_convs"])
    # Spread the head's outputs so that random weights give many detections with distinct scores
    # and boxes of real extent (torchvision's init makes every score ~0.07 and every box a point).
    with torch.no_grad():
        for conv in (head.classification_head.cls_logits, head.regression_head.bbox_ctrness):
            conv.weight.normal_(0, 0.05)
            conv.bias.fill_(-0.5)
        head.regression_head.bbox_reg.weight.normal_(0, 0.02)
        head.regression_head.bbox_reg.bias.fill_(2.0)
    return FCOS(backbone, CONFIG["num_classes"], min_size=CONFIG["min_size"],
                max_size=CONFIG["max_size"], head=head, score_thresh=CONFIG["score_thresh"],
                nms_thresh=CONFIG["nms_thresh"], detections_per_img=CONFIG["detections_per_img"],
                topk_candidates=CONFIG["topk_candidates"])


class TensorWriter:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.index = {}

    def add(self, name, tensor):
        tensor = tensor.detach().contiguous()
        assert tensor.dtype in (torch.float32, torch.int64), (name, tensor.dtype)
        file = f"t{len(self.index):05d}.bin"
        with open(os.path.join(self.out_dir, file), "wb") as f:
            f.write(tensor.numpy().astype(tensor.numpy().dtype.newbyteorder("<")).tobytes())
        self.index[name] = {"file": file, "dtype": str(tensor.dtype).replace("torch.", ""),
                            "shape": list(tensor.shape)}

    def close(self, extra):
        with open(os.path.join(self.out_dir, "index.json"), "w") as f:
            json.dump({"tensors": self.index, **extra}, f, indent=1)


def resize_cases():
    """[h, w, min_size, max_size, resized_h, resized_w] from torchvision's own resize."""
    from torchvision.models.detection.transform import _resize_image_and_masks
    gen = torch.Generator().manual_seed(1)
    cases = []
    for min_size, max_size in ((320, 512), (800, 1333), (512, 683)):
        sizes = [(480, 640), (640, 480), (100, 1000), (333, 333)]
        sizes += [tuple(torch.randint(17, 1500, (2,), generator=gen).tolist()) for _ in range(40)]
        for h, w in sizes:
            out, _ = _resize_image_and_masks(torch.zeros(1, h, w), float(min_size),
                                             float(max_size))
            cases.append([h, w, min_size, max_size, out.shape[-2], out.shape[-1]])
    return cases


def torchvision_keys():
    """state_dict key -> shape of torchvision-built FCOS variants, to check our module names."""
    from torchvision.models.detection import fcos_resnet50_fpn
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
    variants = {
        "resnet50": fcos_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91),
        "resnet34": FCOS(resnet_fpn_backbone(backbone_name="resnet34", weights=None,
                                             returned_layers=[2, 3, 4],
                                             extra_blocks=LastLevelP6P7(256, 256)), 5),
    }
    # BatchNorm's num_batches_tracked is dropped by FrozenBatchNorm2d when loading.
    return {name: {k: list(v.shape) for k, v in model.state_dict().items()
                   if not k.endswith("num_batches_tracked")}
            for name, model in variants.items()}


def main():
    out_dir, datasets = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)

    bccd = os.path.join(datasets, "bccd")
    bccd_names = ["BloodImage_00000", "BloodImage_00001", "BloodImage_00003"]
    images = [load_image(os.path.join(bccd, "JPEGImages", n + ".jpg")) for n in bccd_names]
    targets = [load_voc_boxes(os.path.join(bccd, "Annotations", n + ".xml")) for n in bccd_names]
    facemask_dir = os.path.join(datasets, "facemask", "val2017")
    facemask = sorted(f for f in os.listdir(facemask_dir) if f.endswith(".jpg"))[0]
    images.append(load_image(os.path.join(facemask_dir, facemask)))

    model = build_model(torch.stack([
        nn.functional.interpolate(img[None], size=(240, 320), mode="bilinear")[0]
        for img in images[:3]]))

    writer = TensorWriter(out_dir)
    for name, tensor in model.state_dict().items():
        writer.add("state_dict/" + name, tensor)
    for i, img in enumerate(images):
        writer.add(f"image/{i}", img)
    for i, t in enumerate(targets):
        writer.add(f"target/{i}/boxes", t["boxes"])
        writer.add(f"target/{i}/labels", t["labels"])

    # Eval: all four images in one batch (mixed sizes exercise resize and padding).
    model.eval()
    with torch.no_grad():
        detections = model(images)
    counts = []
    for i, d in enumerate(detections):
        counts.append(len(d["boxes"]))
        for key in ("boxes", "scores", "labels"):
            writer.add(f"detections/{i}/{key}", d[key])

    # Train: a batch with boxes, and a batch where one image has no boxes.
    model.train()
    loss_cases = {
        "two_images": ([0, 1], [targets[0], targets[1]]),
        "with_empty": ([2, 3], [targets[2], {"boxes": torch.zeros(0, 4),
                                             "labels": torch.zeros(0, dtype=torch.int64)}]),
    }
    losses_out = {}
    for case, (idxs, case_targets) in loss_cases.items():
        losses = model([images[i] for i in idxs], case_targets)
        losses_out[case] = {"images": idxs, **{k: v.item() for k, v in losses.items()}}
        if case == "with_empty":
            writer.add("target/3/boxes", case_targets[1]["boxes"])
            writer.add("target/3/labels", case_targets[1]["labels"])
    writer.close({"config": CONFIG, "detection_counts": counts, "losses": losses_out,
                  "torchvision_keys": torchvision_keys(), "resize_cases": resize_cases()})
    print(json.dumps({"detection_counts": counts, "losses": losses_out}))


if __name__ == "__main__":
    main()
