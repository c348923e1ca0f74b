"""Runtime speed: our ONNX Runtime loop vs transformers eager on the same model and prompt.

Prints time to first token (with and without the reused system-prompt prefix), decode tokens/s
and peak RSS; and time to first token from a raw camera frame / 1 s of audio (encoder + merged
prefill), on the model when it has the encoders, else on the tiny multimodal fixture. Each engine
runs in its own subprocess so peak RSS is its own (the ONNX side never
imports torch). Targets on the tiny fixture on CPU: decode ≥ 3× transformers; prefix reuse cuts
TTFT ≥ 5×.

With several ``--threads`` values it sweeps ONNX Runtime's intra-op threads instead: ``--rounds``
rounds, each running every thread count once in turn (so a drifting machine load hits them
alike), and prints the median, minimum and maximum decode tokens/s and TTFT per thread count
(0 = ONNX Runtime's default, one thread per core).

    python bench/runtime.py [--json] [--fixture tiny|small] [--model DIR [--hf HF_DIR]]
    python bench/runtime.py --threads 0 1 2 [--rounds 5] [--model DIR]     (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

REPEATS = 3


def prompt_ids(length: int, vocab: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [2, *rng.integers(3, min(vocab, 500), size=length - 1).tolist()]


def peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM, because ru_maxrss survives exec and would report the
    parent's peak (which may have built a fixture with torch) for the worker."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def ort_worker(args: argparse.Namespace) -> dict[str, Any]:
    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.generation import GenerationOptions
    from gemma4_ros.runtime.loader import engine_from_config
    from gemma4_ros.runtime.model import Gemma4OnnxModel

    config = RuntimeConfig(
        model_dir=args.model,
        providers=args.providers,
        intra_op_threads=args.threads,
        max_new_tokens=args.tokens,
    )
    engine = engine_from_config(config)
    model = cast(Gemma4OnnxModel, engine.model)
    vocab = model.vocab_size
    eos = engine.eos_token_id

    def no_eos(logits: np.ndarray) -> None:  # keep random models from stopping early
        logits[eos] = -np.inf

    def timed(ids: list[int], count: int) -> tuple[float, list[float]]:
        generation = engine.generate(
            ids, GenerationOptions(max_new_tokens=count, logits_processor=no_eos)
        )
        stamps = [time.perf_counter() for _ in generation]
        return float(generation.time_to_first_token_s or 0.0), stamps

    prompt = prompt_ids(args.prompt_tokens, vocab, 0)
    timed(prompt, 4)  # warm-up
    decode = []
    for _ in range(REPEATS):
        _, stamps = timed(prompt, args.tokens)
        decode.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
    system = prompt_ids(args.system_tokens, vocab, 1)
    user = prompt_ids(17, vocab, 2)[1:]
    cold = [timed(system + user, 1)[0] for _ in range(REPEATS)]
    engine.prefix_cache.add(system)
    reused = [timed(system + user, 1)[0] for _ in range(REPEATS)]
    return {
        "ort_decode_tok_s": statistics.median(decode),
        "ttft_s": statistics.median(cold),
        "ttft_prefix_reused_s": statistics.median(reused),
        "peak_rss_mb": peak_rss_mb(),
        "provider": model.provider,
    }


def media_worker(args: argparse.Namespace) -> dict[str, Any]:
    """TTFT of an image prompt and an audio prompt: preprocessing, encoder, merged prefill."""
    from gemma4_ros.runtime.config import RuntimeConfig
    from gemma4_ros.runtime.generation import GenerationOptions
    from gemma4_ros.runtime.loader import engine_from_config
    from gemma4_ros.runtime.model import Gemma4OnnxModel

    config = RuntimeConfig(model_dir=args.model, providers=args.providers,
                           intra_op_threads=args.threads, image_soft_tokens=args.image_soft_tokens)
    engine = engine_from_config(config)
    model = cast(Gemma4OnnxModel, engine.model)
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    pcm = (rng.standard_normal(16_000) * 0.1).astype(np.float32)
    head = prompt_ids(args.prompt_tokens, model.vocab_size, 3)
    result: dict[str, Any] = {"media_model": args.model,
                              "image_soft_tokens": args.image_soft_tokens}
    for kind, placeholder in model.media.placeholder_ids.items():
        if model.media.sessions.get(kind) is None:
            continue

        def first_token(kind: str = kind, placeholder: int = placeholder) -> float:
            start = time.perf_counter()
            item = model.encode_image(frame) if kind == "image" else model.encode_audio(pcm)
            ids = [*head, *[placeholder] * item.soft_tokens, *head[1:5]]
            options = GenerationOptions(max_new_tokens=1, media=(item,), use_prefix_cache=False)
            engine.generate(ids, options).run()
            return time.perf_counter() - start

        first_token()  # warm-up
        result[f"ttft_{kind}_s"] = statistics.median(first_token() for _ in range(REPEATS))
    return result


def hf_worker(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    if args.threads > 0:  # 0: torch's own default, as ONNX Runtime's 0 is
        torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.hf, attn_implementation="eager").eval()
    vocab = model.config.get_text_config().vocab_size

    def run(ids: list[int], count: int) -> float:
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(
                torch.tensor([ids]), max_new_tokens=count, min_new_tokens=count, do_sample=False
            )
        return time.perf_counter() - start

    prompt = prompt_ids(args.prompt_tokens, vocab, 0)
    run(prompt, 4)  # warm-up
    first = statistics.median(run(prompt, 1) for _ in range(REPEATS))
    full = statistics.median(run(prompt, args.tokens) for _ in range(REPEATS))
    system = prompt_ids(args.system_tokens, vocab, 1) + prompt_ids(17, vocab, 2)[1:]
    ttft = statistics.median(run(system, 1) for _ in range(REPEATS))
    return {
        "hf_decode_tok_s": (args.tokens - 1) / (full - first),
        "hf_ttft_s": ttft,
        "hf_peak_rss_mb": peak_rss_mb(),
    }


def spawn(worker: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--worker",
        worker,
        "--model",
        args.model,
        "--threads",
        str(args.threads),
        "--tokens",
        str(args.tokens),
        "--prompt-tokens",
        str(args.prompt_tokens),
        "--system-tokens",
        str(args.system_tokens),
        "--image-soft-tokens",
        str(args.image_soft_tokens),
        "--providers",
        *args.providers,
    ]
    if args.hf:
        command += ["--hf", args.hf]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{worker} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def resolve_model(args: argparse.Namespace) -> None:
    if args.model:
        return
    from gemma4_ros.testing.fixture_models import fixture_model

    fixture = fixture_model(args.fixture)
    args.model, args.hf = str(fixture.onnx_dir), str(fixture.hf_dir)


def media_args(args: argparse.Namespace) -> argparse.Namespace | None:
    """The model to time media on: ``--model`` if it has an encoder, else the multimodal fixture
    (only when no ``--model`` was given)."""
    if any(next((Path(args.model) / "onnx").glob(f"{graph}*.onnx"), None)
           for graph in ("vision_encoder", "audio_encoder")):
        return args
    if args.model_given:
        return None
    from gemma4_ros.testing.fixture_models import fixture_model

    media = argparse.Namespace(**vars(args))
    media.model, media.hf = str(fixture_model("tiny_multimodal").onnx_dir), None
    return media


def sweep_threads(args: argparse.Namespace) -> dict[str, Any]:
    """Decode tokens/s and TTFT per intra-op thread count, rounds interleaved."""
    runs: dict[int, list[dict[str, Any]]] = {threads: [] for threads in args.threads}
    for _ in range(args.rounds):
        for threads in args.threads:
            one = argparse.Namespace(**{**vars(args), "threads": threads})
            runs[threads].append(spawn("ort", one))

    def spread(threads: int, key: str) -> dict[str, float]:
        values = [run[key] for run in runs[threads]]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    return {
        "model": args.model,
        "rounds": args.rounds,
        "decode_tokens": args.tokens,
        "prompt_tokens": args.prompt_tokens,
        "thread_sweep": {
            str(threads): {"decode_tok_s": spread(threads, "ort_decode_tok_s"),
                           "ttft_s": spread(threads, "ttft_s")}
            for threads in args.threads
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--fixture", default="tiny", help="fixture model when --model is absent")
    parser.add_argument("--model", help="ONNX model directory (public layout)")
    parser.add_argument("--hf", help="transformers checkpoint of the same model, for comparison")
    parser.add_argument("--threads", type=int, nargs="+", default=[2],
                        help="intra-op threads; several values sweep them (0 = one per core)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of a thread sweep")
    parser.add_argument("--tokens", type=int, default=64, help="tokens decoded per run")
    parser.add_argument("--prompt-tokens", type=int, default=32)
    parser.add_argument("--system-tokens", type=int, default=1000)
    parser.add_argument("--providers", nargs="+", default=["tensorrt", "cuda", "cpu"])
    parser.add_argument("--image-soft-tokens", type=int, default=280,
                        help="soft tokens per image for ttft_image_s")
    parser.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.threads = args.threads[0]
        print(json.dumps(WORKERS[args.worker](args)))
        return
    args.model_given = bool(args.model)
    resolve_model(args)
    if len(args.threads) > 1:
        print(json.dumps(sweep_threads(args), indent=2))
        return
    args.threads = args.threads[0]
    result: dict[str, Any] = {
        "model": args.model,
        "threads": args.threads,
        "decode_tokens": args.tokens,
        "system_tokens": args.system_tokens,
    }
    result.update(spawn("ort", args))
    result.update(spawn("hf", args) if args.hf else {"hf_decode_tok_s": None})
    media = media_args(args)
    result.update(spawn("media", media) if media is not None else {})
    if result["hf_decode_tok_s"]:
        result["decode_speedup"] = result["ort_decode_tok_s"] / result["hf_decode_tok_s"]
    result["prefix_ttft_speedup"] = result["ttft_s"] / result["ttft_prefix_reused_s"]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value:.4g}" if isinstance(value, float) else f"{key:>22}: {value}")


WORKERS = {"ort": ort_worker, "hf": hf_worker, "media": media_worker}

if __name__ == "__main__":
    main()
