"""Train the demo planner on CPU: ``python -m gemma4_ros.demo.train --out DIR [--tools FILE]``.

A text-only ``Gemma4ForCausalLM`` (transformers) from random init: 4 layers (3 sliding + 1 full
attention), hidden 128, per-layer embeddings, tied embeddings, ~1.2 M parameters. What made the
difference in the measured attempts is kept: word-level tokens, a single-step curriculum for the
first 15% of the run, batches bucketed by length, 200,000 distinct commands (each seen under
twice, rather than a small set many times), a flat learning rate after warm-up that decays over
the last 20%, and loss on the answer tokens only. The run is 5,500 steps on 2 threads (about 42
minutes on a 2-core x86 machine: the corpus with typing noise, reasoned refusals and more 3-step
commands needed more steps than the 4,000 of the first model, whose held-out split was easier;
measured on the hand-written development set, 2,000 steps gave 0.77 exact and 5,500 gave 0.96);
``--minutes`` caps it on a slower machine, and the schedule follows whichever of steps and time
is further along, so a capped run still ends with its decay.
Held-out exact match and argument accuracy (greedy decoding in torch) are printed mid-run and at
the end, and written to ``demo.json``.

The output directory is a Hugging Face checkpoint (config.json, generation_config.json,
model.safetensors, tokenizer.json, chat_template.jinja) that ``gemma4-ros export`` turns into the
ONNX layout. This is the only module of the package that imports torch and transformers (lazily:
run it with the ``export`` extra installed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gemma4_ros.demo.corpus import NOISE, Corpus, Example, build_corpus, fingerprint
from gemma4_ros.demo.evaluate import Scores
from gemma4_ros.demo.prompt import render_prompt, render_target
from gemma4_ros.demo.template import write_chat_template
from gemma4_ros.demo.tokenizer import build_tokenizer, save_tokenizer
from gemma4_ros.chat import special_tokens as tok
from gemma4_ros.tools import ToolRegistry

STOP_TOKENS = (tok.TURN_END, tok.TOOL_RESPONSE_START, tok.EOS)
IGNORE = -100


@dataclass
class TrainOptions:
    """Everything that decides the result; written to demo.json beside the weights."""

    out: str
    minutes: float = 45.0
    seed: int = 0
    threads: int = 2
    tools: str | None = None
    n_train: int = 200000
    n_heldout: int = 400
    noise: float = NOISE
    vocab_size: int = 1024
    hidden: int = 128
    layers: int = 4
    intermediate: int = 512
    batch_size: int = 64
    lr: float = 2e-3
    warmup_steps: int = 200
    curriculum: float = 0.15
    decay: float = 0.2
    evals: int = 1
    max_steps: int | None = 5500  # the schedule follows steps or time, whichever is ahead


@dataclass
class Encoded:
    ids: list[int]
    prompt_len: int


def model_config(vocab_size: int, options: TrainOptions, ids: dict[str, int]) -> Any:
    """A tiny Gemma 4 text config: the real architecture family at a CPU-trainable size."""
    from transformers.models.gemma4 import Gemma4TextConfig

    sliding = ["sliding_attention"] * (options.layers - 1)
    return Gemma4TextConfig(
        vocab_size=vocab_size, hidden_size=options.hidden, intermediate_size=options.intermediate,
        num_hidden_layers=options.layers, num_attention_heads=4, num_key_value_heads=1,
        head_dim=options.hidden // 4, global_head_dim=options.hidden // 2,
        layer_types=sliding + ["full_attention"], sliding_window=128,
        max_position_embeddings=1024, hidden_size_per_layer_input=16,
        vocab_size_per_layer_input=vocab_size, tie_word_embeddings=True,
        final_logit_softcapping=30.0, pad_token_id=ids[tok.PAD], eos_token_id=ids[tok.EOS],
        bos_token_id=ids[tok.BOS], attn_implementation="sdpa")


def encode(tokenizer: Any, examples: Sequence[Example]) -> list[Encoded]:
    prompts = tokenizer.encode_batch([render_prompt(e.command) for e in examples])
    targets = tokenizer.encode_batch([render_target(e) for e in examples])
    return [Encoded(p.ids + t.ids, len(p.ids)) for p, t in zip(prompts, targets)]


def batches(data: Sequence[Encoded], pool: Sequence[int], size: int,
            rng: random.Random) -> Iterator[list[Encoded]]:
    """Batches of similar length: draw 16 batches' worth, sort by length, cut, shuffle."""
    while True:
        drawn = sorted(rng.sample(pool, min(len(pool), size * 16)), key=lambda i: len(data[i].ids))
        chunks = [drawn[i:i + size] for i in range(0, len(drawn), size)]
        rng.shuffle(chunks)
        for chunk in chunks:
            yield [data[i] for i in chunk]


def collate(batch: Sequence[Encoded], pad: int) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(e.ids) for e in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, e in enumerate(batch):
        n = len(e.ids)
        ids[row, :n] = torch.tensor(e.ids)
        labels[row, e.prompt_len:n] = torch.tensor(e.ids[e.prompt_len:])
        mask[row, :n] = 1
    return ids, mask, labels


def learning_rate(options: TrainOptions, step: int, progress: float) -> float:
    """Warm-up by steps, then flat, then linear decay over the last ``decay`` of the time."""
    warm = min(1.0, (step + 1) / options.warmup_steps)
    tail = 1.0 if progress < 1 - options.decay else max(0.02, (1 - progress) / options.decay)
    return options.lr * warm * tail


def greedy_answers(model: Any, tokenizer: Any, examples: Sequence[Example], stop_ids: list[int],
                   pad: int, max_new: int = 120, batch_size: int = 64) -> list[str]:
    """Decoded greedy answers (left-padded batches through ``generate``), cut at the first stop."""
    import torch

    answers: list[str] = []
    model.eval()
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        prompts = [tokenizer.encode(render_prompt(e.command)).ids for e in chunk]
        width = max(len(p) for p in prompts)
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        with torch.no_grad():
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new,
                                 do_sample=False, eos_token_id=stop_ids, pad_token_id=pad)
        for row in out[:, width:].tolist():
            cut = next((i + 1 for i, t in enumerate(row) if t in stop_ids), len(row))
            answers.append(tokenizer.decode(row[:cut], skip_special_tokens=False))
    model.train()
    return answers


def evaluate(model: Any, tokenizer: Any, examples: Sequence[Example], stop_ids: list[int],
             pad: int) -> Scores:
    scores = Scores()
    for example, answer in zip(examples, greedy_answers(model, tokenizer, examples, stop_ids, pad)):
        scores.add(example, answer)
    return scores


def save_checkpoint(model: Any, tokenizer: Any, out: Path, stop_ids: list[int], ids: dict[str, int],
                    meta: dict[str, Any]) -> None:
    from transformers import GenerationConfig

    out.mkdir(parents=True, exist_ok=True)
    model.generation_config = GenerationConfig(
        bos_token_id=ids[tok.BOS], eos_token_id=stop_ids, pad_token_id=ids[tok.PAD], do_sample=False)
    model.save_pretrained(str(out))
    save_tokenizer(tokenizer, out)
    write_chat_template(out)
    (out / "demo.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def train(options: TrainOptions) -> dict[str, Any]:
    """Build corpus and tokenizer, train for the time budget, evaluate, save; returns demo.json."""
    import torch
    from transformers.models.gemma4 import Gemma4ForCausalLM

    began = time.monotonic()
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    registry = ToolRegistry.load(options.tools)
    corpus = build_corpus(registry, options.seed, options.n_train, options.n_heldout,
                          options.noise)
    texts = (render_prompt(e.command) + render_target(e) for e in corpus.train)
    tokenizer = build_tokenizer(texts, registry, options.vocab_size)
    ids = {t: tokenizer.token_to_id(t) for t in (tok.PAD, tok.BOS, tok.EOS)}
    stop_ids = [tokenizer.token_to_id(t) for t in STOP_TOKENS]
    data = encode(tokenizer, corpus.train)
    model = Gemma4ForCausalLM(model_config(tokenizer.get_vocab_size(), options, ids))
    params = sum(p.numel() for p in model.parameters())
    print(f"corpus {len(corpus.train)} train / {len(corpus.heldout)} held-out, vocab "
          f"{tokenizer.get_vocab_size()}, {params / 1e6:.2f} M parameters", flush=True)
    history, steps = _loop(model, options, data, corpus, tokenizer, stop_ids, ids[tok.PAD], rng)
    final = evaluate(model, tokenizer, corpus.heldout, stop_ids, ids[tok.PAD]).summary()
    sample = rng.sample(list(corpus.train), min(200, len(corpus.train)))
    fit = evaluate(model, tokenizer, sample, stop_ids, ids[tok.PAD]).summary()
    print(f"held-out {json.dumps(final)}\ntrain sample {json.dumps(fit)}", flush=True)
    meta = {"note": "demo model trained by gemma4_ros.demo.train; not Gemma 4 weights",
            "options": asdict(options), "parameters": params, "heldout": final, "train_sample": fit,
            "history": history, "steps": steps,
            "wall_minutes": round((time.monotonic() - began) / 60, 1),
            "prompt": render_prompt("{command}"),
            "heldout_sha256": fingerprint(corpus.heldout)}
    save_checkpoint(model, tokenizer, Path(options.out), stop_ids, ids, meta)
    return meta


def _loop(model: Any, options: TrainOptions, data: Sequence[Encoded], corpus: Corpus, tokenizer: Any,
          stop_ids: list[int], pad: int, rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    """Train until the schedule ends; returns the mid-run evaluations and the steps taken."""
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr, weight_decay=0.01)
    single = [i for i, e in enumerate(corpus.train) if e.steps == 1]
    everything = list(range(len(data)))
    streams = {True: batches(data, single, options.batch_size, rng),
               False: batches(data, everything, options.batch_size, rng)}
    budget = options.minutes * 60
    start = last_print = time.monotonic()
    history: list[dict[str, Any]] = []
    next_eval, step, losses = 1.0 / (options.evals + 1), 0, []
    model.train()
    probe = corpus.heldout[:200]  # mid-run evaluations on a subset: they eat training time
    while True:
        progress = (time.monotonic() - start) / budget
        if options.max_steps is not None:
            progress = max(progress, step / options.max_steps)
        if progress >= 1:
            return history, step
        batch = next(streams[progress < options.curriculum])
        input_ids, mask, labels = collate(batch, pad)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(options, step, progress)
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        step += 1
        now = time.monotonic()
        if now - last_print > 30:
            print(f"step {step} {progress:5.1%} loss {sum(losses) / len(losses):.4f} "
                  f"lr {optimizer.param_groups[0]['lr']:.2e} {(now - start) / step:.2f} s/step", flush=True)
            losses, last_print = [], now
        if progress >= next_eval and options.evals:
            scores = evaluate(model, tokenizer, probe, stop_ids, pad).summary()
            history.append({"step": step, "minutes": round((now - start) / 60, 2), **scores})
            print(f"eval {json.dumps(history[-1])}", flush=True)
            next_eval += 1.0 / (options.evals + 1)


def main(argv: Sequence[str] | None = None) -> None:
    # Idle OpenMP threads sleep instead of spinning: on a machine shared with other jobs, spinning
    # threads that wait for a busy core made steps several times slower (measured 0.43 s vs 2.9 s).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = TrainOptions(out="")
    for name, value in asdict(defaults).items():
        flag = "--" + name.replace("_", "-")
        kind = type(value) if value is not None else (int if name == "max_steps" else str)
        parser.add_argument(flag, type=kind, default=value, required=name == "out")
    options = TrainOptions(**vars(parser.parse_args(argv)))
    train(options)


if __name__ == "__main__":
    main()
