#!/usr/bin/python3
"""al_sim_smoke: labelloop-al-sim end to end on a few Fashion scenes, one seed, two strategies,
two rounds, a tiny detector, the test split read as a YOLO folder (converted from the composer's
COCO) and a tuning split beside it: the process succeeds and writes results.json of the
documented shape, both summaries and curves.png. --resume then adds a third round to both runs
from their work folders (and refuses another --step). Then a second, one-round run of a named
variant on seed 2 merges with the first (--first-seed, --variant, --merge), and a file merged
with itself is refused.

    al_sim_smoke_test.py SIMULATOR LABELLOOPD COMPOSER
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

CONFIG = """
store { validation_share: 0.0 }
detector {
  backbone: "resnet18"  fpn_channels: 32  head_convs: 1
  min_size: 96  max_size: 96  trainable_backbone_layers: 5  threads: 2
}
training {
  epochs: 1  batch_size: 4  warmup_steps: 2  threads: 2  min_train_labels: 1
  promotion_tolerance: 1.0
}
"""


def coco_to_yolo(coco_dir, out):
    """The composer's COCO split as a YOLO txt folder: classes.txt, images/, labels/."""
    with open(os.path.join(coco_dir, "annotations.json")) as f:
        coco = json.load(f)
    categories = sorted(coco["categories"], key=lambda c: c["id"])
    index = {c["id"]: k for k, c in enumerate(categories)}
    os.makedirs(os.path.join(out, "labels"))
    shutil.copytree(os.path.join(coco_dir, "images"), os.path.join(out, "images"))
    with open(os.path.join(out, "classes.txt"), "w") as f:
        f.write("".join(c["name"] + "\n" for c in categories))
    lines = {image["id"]: [] for image in coco["images"]}
    for a in coco["annotations"]:
        image = next(i for i in coco["images"] if i["id"] == a["image_id"])
        x, y, w, h = a["bbox"]
        lines[a["image_id"]].append("%d %.6f %.6f %.6f %.6f" % (
            index[a["category_id"]], (x + w / 2) / image["width"], (y + h / 2) / image["height"],
            w / image["width"], h / image["height"]))
    for image in coco["images"]:
        stem = os.path.splitext(image["file_name"])[0]
        with open(os.path.join(out, "labels", stem + ".txt"), "w") as f:
            f.write("".join(line + "\n" for line in lines[image["id"]]))


def main():
    simulator, labelloopd, composer = sys.argv[1:4]
    with tempfile.TemporaryDirectory(prefix="al_sim_smoke_") as tmp:
        # The tuning split comes from the train items with another seed, as in RESULTS.md.
        for name, split, count, seed in (("train", "train", 16, 1), ("test", "test", 6, 1),
                                         ("tune", "train", 4, 7)):
            subprocess.run(["/usr/bin/python3", composer, "--split=" + split,
                            "--count=%d" % count, "--seed=%d" % seed, "--size=96",
                            "--min-scale=24", "--max-scale=48", "--max-objects=2",
                            "--classes=1,8", "--out=" + os.path.join(tmp, name)], check=True)
        coco_to_yolo(os.path.join(tmp, "test"), os.path.join(tmp, "test_yolo"))
        config = os.path.join(tmp, "config.textproto")
        with open(config, "w") as f:
            f.write(CONFIG)
        out = os.path.join(tmp, "out")
        command = [simulator,
                   "--train-coco=" + os.path.join(tmp, "train", "annotations.json"),
                   "--train-images=" + os.path.join(tmp, "train", "images"),
                   "--test-yolo=" + os.path.join(tmp, "test_yolo"),
                   "--tune-coco=" + os.path.join(tmp, "tune", "annotations.json"),
                   "--tune-images=" + os.path.join(tmp, "tune", "images"),
                   "--strategies=random,hybrid", "--seeds=1", "--initial=4", "--step=4",
                   "--rounds=2", "--config=" + config, "--out=" + out,
                   "--labelloopd=" + labelloopd]
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=900)
        print(run.stdout)
        assert run.returncode == 0, "simulator exited with %d" % run.returncode

        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)
        assert list(results) == ["runs"], results.keys()
        runs = results["runs"]
        assert [(r["strategy"], r["seed"]) for r in runs] == [("random", 1), ("hybrid", 1)], runs
        with open(os.path.join(tmp, "train", "annotations.json")) as f:
            train = json.load(f)
        boxes_per_image = {}
        for a in train["annotations"]:
            boxes_per_image[a["image_id"]] = boxes_per_image.get(a["image_id"], 0) + 1
        for run_entry in runs:
            assert set(run_entry) == {"strategy", "seed", "rounds"}, run_entry.keys()
            rounds = run_entry["rounds"]
            assert [r["images"] for r in rounds] == [4, 8], rounds
            for r in rounds:
                assert set(r) == {"images", "boxes", "map", "map50", "seconds", "class_ap",
                                  "class_boxes", "tune_map", "tune_map50"}, r.keys()
                assert 0 <= r["map"] <= r["map50"] <= 1, r
                assert 0 <= r["tune_map"] <= r["tune_map50"] <= 1, r
                # One AP per pool class (trouser, bag), each -1 (no test box) or in [0, 1].
                assert len(r["class_ap"]) == 2, r
                assert all(ap == -1 or 0 <= ap <= 1 for ap in r["class_ap"]), r
                # Labeled boxes per pool class: they add up to the labeled boxes.
                assert len(r["class_boxes"]) == 2 and sum(r["class_boxes"]) == r["boxes"], r
                assert r["seconds"] > 0, r
                assert r["images"] <= r["boxes"] <= 2 * r["images"], r  # 1-2 objects per scene
            assert rounds[0]["boxes"] <= rounds[1]["boxes"], rounds
        # Round 0 is the same random set for every strategy of a seed.
        assert runs[0]["rounds"][0]["boxes"] == runs[1]["rounds"][0]["boxes"], runs
        # The YOLO test split was read whole: 6 images.
        assert "test: 6 images" in run.stdout, run.stdout
        assert os.path.getsize(os.path.join(out, "curves.png")) > 1000
        assert "random's final mean test mAP" in run.stdout, run.stdout
        assert "random's final mean tuning-split mAP" in run.stdout, run.stdout

        # The budget extended: --resume restarts each run's daemon on its work folder and adds a
        # round; the measured rounds stay as they were. Hybrid waits for the restarted daemon's
        # pool scores before its picks.
        measured = runs
        resume = [arg for arg in command if not arg.startswith("--rounds=")]
        run = subprocess.run(resume + ["--rounds=3", "--resume"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=900)
        print(run.stdout)
        assert run.returncode == 0, "resume exited with %d" % run.returncode
        assert "hybrid seed 1: resuming after 2 rounds (8 images)" in run.stdout, run.stdout
        with open(os.path.join(out, "results.json")) as f:
            runs = json.load(f)["runs"]
        assert [(r["strategy"], r["seed"]) for r in runs] == [("random", 1), ("hybrid", 1)], runs
        for before, after in zip(measured, runs):
            assert after["rounds"][:2] == before["rounds"], (before, after)
            assert [r["images"] for r in after["rounds"]] == [4, 8, 12], after
            assert after["rounds"][1]["boxes"] < after["rounds"][2]["boxes"], after
            # The class counts go on from the restored labels, not from zero.
            assert sum(after["rounds"][2]["class_boxes"]) == after["rounds"][2]["boxes"], after
            assert all(b >= a for a, b in zip(after["rounds"][1]["class_boxes"],
                                              after["rounds"][2]["class_boxes"])), after
        # The daemon's log keeps the first daemon's lines (appended, not overwritten).
        with open(os.path.join(out, "work", "hybrid-seed1", "labelloopd.log")) as f:
            assert f.read().count("listening on") == 2
        # Already at --rounds: nothing to do. Another --step would splice two experiments.
        run = subprocess.run(resume + ["--rounds=3", "--resume"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=300)
        assert run.returncode == 0 and "hybrid seed 1: has 3 rounds already" in run.stdout, \
            run.stdout
        run = subprocess.run([a for a in resume if not a.startswith("--step=")] +
                             ["--step=2", "--rounds=4", "--resume"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=300)
        assert run.returncode == 2, run.stdout
        assert "random seed 1 was run with --initial=4 --step=4" in run.stdout, run.stdout

        # Seeds added later under a variant name, merged with the first run.
        extra = os.path.join(tmp, "extra")
        second = [arg for arg in command
                  if not arg.startswith(("--strategies=", "--seeds=", "--rounds=", "--out="))]
        second += ["--strategies=hybrid", "--first-seed=2", "--seeds=1", "--rounds=1",
                   "--variant=wide", "--out=" + extra]
        run = subprocess.run(second, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=900)
        print(run.stdout)
        assert run.returncode == 0, "second run exited with %d" % run.returncode
        assert "hybrid_wide seed 2 round 0: 4 images" in run.stdout, run.stdout
        merged = os.path.join(tmp, "merged")
        run = subprocess.run([simulator, "--merge=%s,%s" % (out, os.path.join(extra, "results.json")),
                              "--out=" + merged], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=300)
        print(run.stdout)
        assert run.returncode == 0, "merge exited with %d" % run.returncode
        with open(os.path.join(merged, "results.json")) as f:
            runs = json.load(f)["runs"]
        assert [(r["strategy"], r["seed"]) for r in runs] == [
            ("random", 1), ("hybrid", 1), ("hybrid_wide", 2)], runs
        # Seed 2 starts from its own random set, not seed 1's.
        assert len(runs[2]["rounds"]) == 1 and runs[2]["rounds"][0]["images"] == 4, runs[2]
        assert len(runs[0]["rounds"]) == 3, runs[0]  # the resumed rounds went into the merge
        assert "merged 3 runs from 2 files" in run.stdout, run.stdout
        assert os.path.getsize(os.path.join(merged, "curves.png")) > 1000
        run = subprocess.run([simulator, "--merge=%s,%s" % (out, out), "--out=" + merged],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=300)
        assert run.returncode == 2, run.stdout
        assert "random seed 1 is in more than one results file" in run.stdout, run.stdout
    print("al_sim_smoke: OK")


if __name__ == "__main__":
    main()
