#!/usr/bin/env bash
# The long form of the crash-consistency test: many kill cycles. Usage:
#   tests/crash/long_run.sh [CYCLES (40)] [SEED (from the clock)]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${LABELLOOP_BUILD_DIR:-build}"
ninja -C "$BUILD_DIR" crash_consistency_test labelloopd
export LABELLOOP_CRASH_CYCLES="${1:-40}"
[[ -n "${2:-}" ]] && export LABELLOOP_CRASH_SEED="$2"
exec "$BUILD_DIR/tests/crash/crash_consistency_test"
