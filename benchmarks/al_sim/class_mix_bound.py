#!/usr/bin/python3
"""How many boxes a better class mix alone could save: class_mix_bound.py RESULTS.json

mAP is a mean over classes, so a strategy can gain per labeled box by buying boxes of the
classes where one more box raises AP the most, without the detector learning more from any box.
This script measures how far that goes. It fits, on the random runs' rounds, each class's test
AP against the labeled boxes of that class, AP_c = a_c + b_c ln N_c (a diminishing return, one
curve per class), then:
- prints, per strategy and round, the mean class mix it labeled and the mAP the fit predicts for
  that mix beside the measured one (a measured mAP above the prediction is a gain the class mix
  does not explain);
- finds the class mix that maximizes the fitted mAP for a given number of boxes (N_c in
  proportion to b_c) and the fewest boxes at which it reaches random's final fitted mAP: an upper
  bound, under the fit, on the boxes any choice of class mix can save.

Rounds need "class_boxes" (labelloop-al-sim writes it); for older files without it a random run's
mix is taken as the pool's (--pool=N,N,... boxes per class), which is what random sampling gives
on average, and other strategies are skipped.
"""

import argparse
import json
import math

import numpy as np


def class_counts(round_, pool_share):
    if "class_boxes" in round_:
        return np.array(round_["class_boxes"], dtype=float)
    if pool_share is None:
        return None
    return pool_share * round_["boxes"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--pool", help="pool boxes per class, for files without class_boxes")
    args = parser.parse_args()
    with open(args.results) as f:
        runs = json.load(f)["runs"]
    pool_share = None
    if args.pool:
        pool = np.array([float(n) for n in args.pool.split(",")])
        pool_share = pool / pool.sum()

    random_runs = [r for r in runs if r["strategy"] == "random"]
    if not random_runs:
        raise SystemExit("no random runs to fit on")
    classes = len(random_runs[0]["rounds"][0]["class_ap"])
    a, b = np.zeros(classes), np.zeros(classes)
    for c in range(classes):
        xs, ys = [], []
        for run in random_runs:
            for r in run["rounds"]:
                n = class_counts(r, pool_share)
                if n is None:
                    raise SystemExit("random rounds lack class_boxes: pass --pool")
                if n[c] > 0 and r["class_ap"][c] >= 0:
                    xs.append(math.log(n[c]))
                    ys.append(r["class_ap"][c])
        if len(set(xs)) < 2:
            raise SystemExit(f"class {c}: fewer than two box counts with a test AP to fit on")
        b[c], a[c] = np.polyfit(xs, ys, 1)
        residual = np.array(ys) - (a[c] + b[c] * np.array(xs))
        r2 = 1 - (residual**2).sum() / ((np.array(ys) - np.mean(ys)) ** 2).sum()
        intercept = round(a[c], 3) + 0.0  # no "-0.000"
        print(f"class {c}: AP = {intercept:.3f} + {b[c]:.4f} ln N  (R^2 {r2:.2f}, {len(xs)} rounds)")

    def fitted_map(n):
        return float(np.mean(a + b * np.log(np.maximum(n, 1.0))))

    print("\nmean over seeds: labeled boxes, class mix, measured test mAP, fitted mAP of that mix")
    for strategy in dict.fromkeys(r["strategy"] for r in runs):
        same = [r for r in runs if r["strategy"] == strategy]
        for k in range(min(len(r["rounds"]) for r in same)):
            counts = [class_counts(r["rounds"][k], pool_share if strategy == "random" else None)
                      for r in same]
            if any(n is None for n in counts):
                continue
            n = np.mean(counts, axis=0)
            measured = np.mean([r["rounds"][k]["map"] for r in same])
            mix = " ".join(f"{x:.3f}" for x in n / n.sum())
            print(f"  {strategy:18s} round {k}: {n.sum():6.0f} boxes, mix {mix}, "
                  f"measured {measured:.3f}, fitted {fitted_map(n):.3f}")

    final = np.mean([class_counts(r["rounds"][-1], pool_share) for r in random_runs], axis=0)
    target = fitted_map(final)
    if (b <= 0).any():
        # A class whose AP does not rise with its boxes has no best share; the bound needs all.
        print("a class's AP does not rise with its boxes under the fit: no bound")
        return
    best_share = b / b.sum()
    # fitted_map(B x share) = mean(a + b ln share) + mean(b) ln B: solve for B in closed form.
    # (fitted_map clamps counts below 1, so the share term is written out.)
    fewest = math.exp((target - np.mean(a + b * np.log(best_share))) / b.mean())
    print(f"\nrandom's final mix: {final.sum():.0f} boxes, fitted mAP {target:.3f}")
    print(f"best mix {' '.join(f'{x:.3f}' for x in best_share)} reaches it with {fewest:.0f} boxes: "
          f"a class mix alone saves at most {100 * (1 - fewest / final.sum()):.1f}% of the boxes")


if __name__ == "__main__":
    main()
