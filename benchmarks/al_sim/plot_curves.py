#!/usr/bin/python3
"""Draws labelloop-al-sim learning curves: plot_curves.py RESULTS.json OUT.png

Two panels, test mAP against labeled images and against labeled boxes; one line per strategy,
the mean over seeds, with a band from the lowest to the highest seed (min-max rather than a
standard deviation: with three seeds a deviation band would pretend to more than we know).
When every round of every run carries a tuning-split mAP (--tune-*), a second row draws that
split the same way: it is the one settings are chosen on, so it belongs beside the test curves.
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def curves(results):
    by_strategy = {}
    for run in results["runs"]:
        by_strategy.setdefault(run["strategy"], []).append(run["rounds"])
    out = {}
    for strategy, runs in by_strategy.items():
        length = min(len(r) for r in runs)
        if length == 0:
            continue
        get = lambda key: np.array([[r[i].get(key, -1) for i in range(length)] for r in runs],
                                   float)
        out[strategy] = {"images": get("images"), "boxes": get("boxes"), "map": get("map"),
                         "tune_map": get("tune_map"), "seeds": len(runs)}
    return out


def has_tuning_split(data):
    return bool(data) and all((c["tune_map"] >= 0).all() for c in data.values())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        data = curves(json.load(f))
    splits = [("map", "test")]
    if has_tuning_split(data):
        splits.append(("tune_map", "tuning-split"))
    fig, axes = plt.subplots(len(splits), 2, figsize=(11, 4.2 * len(splits)), squeeze=False)
    for row, (metric, split) in enumerate(splits):
        for panel, (axis, key, label) in enumerate(
                zip(axes[row], ["images", "boxes"], ["labeled images", "labeled boxes"])):
            for strategy, c in sorted(data.items()):
                x = c[key].mean(axis=0)
                y = c[metric].mean(axis=0)
                line, = axis.plot(x, y, marker="o",
                                  label="%s (%d seeds)" % (strategy, c["seeds"]))
                if c["seeds"] > 1:
                    axis.fill_between(x, c[metric].min(axis=0), c[metric].max(axis=0),
                                      color=line.get_color(), alpha=0.15)
            axis.set_xlabel(label + (" (mean over seeds)" if key == "boxes" else ""))
            axis.set_ylabel(split + " mAP@[.5:.95]")
            axis.grid(alpha=0.3)
            if panel == 0 and row == 0:
                axis.legend(loc="lower right")
    fig.suptitle("labelloop active learning: mean over seeds, band = min..max")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
