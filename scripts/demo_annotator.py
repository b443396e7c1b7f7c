#!/usr/bin/env python3
"""A simulated annotator for scripts/demo: drives labelloopd through the `labelloop` CLI only,
as a person with an annotation tool would, and labels images with the dataset's ground truth."""

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


def run(cli, server, *args, check=True):
    proc = subprocess.run([cli, f"--server={server}", "--json", *args],
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.exit(f"demo: labelloop {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def ground_truth(dataset, image_path):
    """Boxes of a VOC annotation, skipping degenerate ones (BCCD has a few)."""
    name = os.path.splitext(os.path.basename(image_path))[0]
    root = ET.parse(os.path.join(dataset, "Annotations", name + ".xml")).getroot()
    boxes = []
    for obj in root.iter("object"):
        bb = obj.find("bndbox")
        x1, y1, x2, y2 = (float(bb.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax"))
        if x2 - x1 > 1 and y2 - y1 > 1:
            boxes.append((x1, y1, x2, y2, obj.find("name").text.strip()))
    return boxes


def wait_for_daemon(cli, server):
    for _ in range(100):
        if run(cli, server, "classes", "ls", check=False).returncode == 0:
            return
        time.sleep(0.2)
    sys.exit("demo: labelloopd did not start (see its log)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--images", type=int, default=60)
    parser.add_argument("--labels", type=int, default=32)
    args = parser.parse_args()
    cli, server = args.cli, args.server

    wait_for_daemon(cli, server)
    print(f"1. labelloopd is up on {server}; the project's classes are RBC, WBC, Platelets")
    run(cli, server, "classes", "set", "RBC", "WBC", "Platelets")

    jpegs = sorted(os.listdir(os.path.join(args.dataset, "JPEGImages")))[: args.images]
    paths = [os.path.join(args.dataset, "JPEGImages", j) for j in jpegs]
    added = json.loads(run(cli, server, "images", "add", *paths).stdout)
    print(f"2. added {added['added']} photos ({added['duplicates']} duplicates, "
          f"{len(added['rejected'])} rejected)")

    print(f"3. a simulated annotator labels {args.labels} images from the queue "
          "(the order is a seeded shuffle until a model exists)")
    labeled = 0
    while labeled < args.labels:
        items = json_lines(run(cli, server, "queue", "next", "--count=4",
                               "--annotator=demo").stdout)
        if not items:
            break
        for item in items:
            boxes = ground_truth(args.dataset, item["uri"])
            box_args = [f"--box={x1:.0f},{y1:.0f},{x2:.0f},{y2:.0f},{c}" for x1, y1, x2, y2, c in boxes]
            run(cli, server, "labels", "submit", f"--image={item['image_id']}",
                f"--lease={item['lease_id']}", *box_args)
            labeled += 1
            print(f"   image {item['image_id']:3d} rank {item['rank']}: {len(boxes):2d} boxes "
                  f"({labeled}/{args.labels})")

    jobs = json_lines(run(cli, server, "jobs", "ls").stdout)
    if not jobs:
        sys.exit("demo: no training round started; check training.trigger_new_labels")
    job_id = jobs[0]["id"]  # Newest first: the round the labels just triggered.
    print(f"4. {labeled} labels triggered training round {job_id}; watching it:")
    watch = subprocess.run([cli, f"--server={server}", "jobs", "watch", str(job_id)])
    if watch.returncode != 0:
        sys.exit("demo: the training round did not succeed (see above)")

    models = json_lines(run(cli, server, "models", "ls").stdout)
    for m in models:
        metrics = m.get("metrics", {})
        print(f"5. model {m['version']}: {m.get('status', '')}, validation mAP "
              f"{metrics.get('map', -1):.3f} (mAP50 {metrics.get('map50', -1):.3f})")

    items = json_lines(run(cli, server, "queue", "next", "--count=2", "--annotator=demo").stdout)
    for item in items:
        truth = ground_truth(args.dataset, item["uri"])
        print(f"6. next image {item['image_id']} comes with {len(item['predictions'])} pre-labels "
              f"from model {item['model_version'] or '(none)'}; the ground truth has "
              f"{len(truth)} boxes")
        for p in item["predictions"][:3]:
            print(f"     {p['class']:9s} {p['score']:.2f} at {[round(v) for v in p['box']]}")
    print("done: the annotator now corrects pre-labels instead of drawing every box.")


if __name__ == "__main__":
    main()
