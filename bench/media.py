#!/usr/bin/env python3
"""Image and audio preprocessing cost on this CPU, per camera frame and per second of speech.

* image: a 640×480 and a 1920×1080 BGR frame → ``preprocess_image`` for every soft-token budget
  (convert, Pillow bicubic resize, rescale, patchify, pad) in ms, plus the resize share alone.
  Frames are random noise: content does not change the cost.
* audio: 10 s of 16 kHz float32 → ``extract_audio_features``, and 10 s of 48 kHz stereo int16
  (downmix + soxr_hq resampling + features); reported as ms per second of audio.
* transformers (if installed): the same work through ``Gemma4ImageProcessorPil`` and
  ``Gemma4AudioFeatureExtractor`` for comparison (keys ``hf_*``).

Every figure is the least CPU time of this thread over ``--runs`` runs: all of this work runs on
one core (Pillow's resize, numpy's FFT and soxr are single-threaded), so on an idle core it equals
the wall-clock latency, while on a shared 2-core machine wall time mostly measures the neighbours
(``load_average`` is printed).
Usage: python bench/media.py [--json] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from gemma4_ros.media import audio_features as af
from gemma4_ros.media import image_preprocessing as ip

FRAMES = {"640x480": (480, 640), "1920x1080": (1080, 1920)}
AUDIO_SECONDS = 10


def _best_ms(work: Callable[[], Any], runs: int) -> float:
    work()  # warm caches (mel filters, Pillow's first call)
    times = []
    for _ in range(runs):
        start = time.thread_time()
        work()
        times.append(time.thread_time() - start)
    return round(min(times) * 1000, 3)


def bench_images(runs: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    results: dict[str, Any] = {}
    for name, (height, width) in FRAMES.items():
        frame = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        rgb = ip.to_rgb(frame, "bgr8")
        per_budget = {}
        for budget in ip.SOFT_TOKEN_BUDGETS:
            per_budget[str(budget)] = {
                "total_ms": _best_ms(partial(ip.preprocess_image, frame, "bgr8", budget), runs),
                "resize_ms": _best_ms(partial(ip._resize, rgb, budget), runs),
                "target": "x".join(map(str, ip.target_size(height, width, budget)[::-1])),
            }
        results[name] = per_budget
    return results


def bench_audio(runs: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    mono_16k = (0.1 * rng.standard_normal(AUDIO_SECONDS * af.SAMPLE_RATE)).astype(np.float32)
    stereo_48k = (3000 * rng.standard_normal((AUDIO_SECONDS * 48_000, 2))).astype(np.int16)
    features = _best_ms(lambda: af.extract_audio_features(mono_16k), runs)
    resampled = _best_ms(lambda: af.extract_audio_features(stereo_48k, 48_000), runs)
    return {"features_16k_ms_per_s": round(features / AUDIO_SECONDS, 3),
            "stereo_48k_int16_ms_per_s": round(resampled / AUDIO_SECONDS, 3)}


def bench_transformers(runs: int) -> dict[str, float]:
    try:
        from transformers.models.gemma4 import Gemma4AudioFeatureExtractor
        from transformers.models.gemma4.image_processing_pil_gemma4 import Gemma4ImageProcessorPil
    except ImportError:
        return {}
    frame = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    processor = Gemma4ImageProcessorPil(max_soft_tokens=280)
    audio = 0.1 * np.random.default_rng(1).standard_normal(AUDIO_SECONDS * 16_000)
    audio = audio.astype(np.float32)
    extractor = Gemma4AudioFeatureExtractor()
    image_ms = _best_ms(lambda: processor(images=[frame], return_tensors="np"), runs)
    audio_ms = _best_ms(lambda: extractor([audio], return_tensors="np"), runs)
    return {"hf_image_1920x1080_280_ms": image_ms,
            "hf_audio_features_16k_ms_per_s": round(audio_ms / AUDIO_SECONDS, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=15, help="timed repetitions per figure")
    args = parser.parse_args()
    report = {"image_ms": bench_images(args.runs), "audio": bench_audio(args.runs),
              **bench_transformers(args.runs), "load_average": os.getloadavg()[0]}
    if args.json:
        print(json.dumps(report))
        return
    for frame, budgets in report["image_ms"].items():
        for budget, row in budgets.items():
            print(f"image {frame:>9} budget {budget:>4} → {row['target']:>9}: "
                  f"{row['total_ms']:8.2f} ms (resize {row['resize_ms']:.2f} ms)")
    for key, value in report.items():
        if key != "image_ms":
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
