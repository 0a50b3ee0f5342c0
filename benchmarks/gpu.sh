#!/usr/bin/env bash
# The GPU benchmarks of issue 5, one per call (each fits the device's 10-minute limit):
#   bash benchmarks/gpu.sh throughput | fast | peak | seed004
# On the lent GPU machine: build .device/ here with ../shared/tools/device-prep, then
# run ". .device/setup.sh && bash benchmarks/gpu.sh NAME" carrying .device. Results go to
# benchmarks/results/ and, when $OUT is set (the device machine), are copied there too.
# The schedules are fixed here, before any run, and never tuned on the test set.
set -euo pipefail
name=${1:?name one of: throughput fast peak seed004}
export KERAS_BACKEND=${KERAS_BACKEND:-jax} ALEXLAB_PROFILE=gpu
results=benchmarks/results
case "$name" in
  throughput)  # the paper network at 227, batch 256, bfloat16: images/s
    for spe in 1 8; do
      python -m alexlab bench --model alexnet --batch-size 256 --precision mixed_bfloat16 \
        --steps 64 --repeats 5 --steps-per-execution "$spe" \
        --json "$results/throughput_gpu_alexnet_b256_bf16_spe$spe.json"
    done
    python -m alexlab bench --model alexnet_cifar --batch-size 512 --precision mixed_bfloat16 \
      --steps 64 --repeats 5 --steps-per-execution 8 \
      --json "$results/throughput_gpu_alexnet_cifar_b512_bf16_spe8.json" ;;
  fast)  # target: >= 74% in <= 10 s of training, 32x32-native AlexNet
    python benchmarks/train_cifar10.py cifar10_gpu_fast -- \
      --model alexnet_cifar --recipe fast --epochs 12 --tta none,flip ;;
  peak)  # target: >= 89% in <= 3 minutes, paper ingredients only (no BatchNorm)
    python benchmarks/train_cifar10.py cifar10_gpu_peak -- \
      --model alexnet_cifar --recipe fast --epochs 60 --tta none,flip,ten_crop ;;
  seed004)  # target: the full paper network on images upsampled to 227, >= 74.4% in <= 60 s
    python benchmarks/train_cifar10.py cifar10_gpu_seed004 -- \
      --model alexnet --recipe fast --epochs 8 --batch-size 256 --tta none,flip ;;
  *) echo "unknown benchmark $name: use throughput, fast, peak or seed004" >&2; exit 2 ;;
esac
if [ -n "${OUT:-}" ]; then cp "$results"/*gpu*.json "$OUT"/ 2>/dev/null || true; fi
