#!/bin/bash
# Side-by-side throughput of labelloop's C++ FCOS and torchvision's FCOS (Python eager): same
# weights, images, image size, batch and thread count, same malloc settings. Prints both results
# and the C++/Python ratios.
#
# Usage: run_detector_throughput.sh BUILD_DIR [threads=2] [batch=2] [iters=10]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_detector_throughput.sh BUILD_DIR [threads] [batch] [iters]}
threads=${2:-2}
batch=${3:-2}
iters=${4:-10}
datasets=${LABELLOOP_DATASETS_DIR:-$here/../../../shared/datasets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same glibc malloc tuning the C++ program applies with mallopt().
export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824
export OMP_NUM_THREADS=$threads

py=$(/usr/bin/python3 "$here/torchvision_throughput.py" "$work" "$datasets" \
       --threads "$threads" --batch "$batch" --iters "$iters")
cc=$("$build/benchmarks/detector_throughput/detector_throughput" "$work" \
       --threads "$threads" --iters "$iters")
echo "$py"
echo "$cc"
/usr/bin/python3 - "$py" "$cc" <<'PY'
import json, sys
py, cc = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for key in ("infer_images_per_s", "train_images_per_s"):
    print(f"{key}: C++ {cc[key]:.2f}  Python {py[key]:.2f}  ratio {cc[key] / py[key]:.2f}x")
PY
