"""Held-out accuracy of the demo planner through the full path, and its speed.

tokenizer → chat template of the model directory (with the registry's tool declarations, as the
planner renders them) → ONNX Runtime generation loop → llguidance constraint over Gemma 4's call
syntax → call parser and schema validation → scored against the held-out split of the demo
corpus (rebuilt from the seed and sizes recorded in the model's ``demo.json``).

    python bench/demo_model.py --model DIR [--tools tools.yaml] [--limit N] [--json]

Prints held-out exact match of the call sequence and argument accuracy
(``heldout_exact_match``, ``heldout_args_accuracy``, ``n_heldout``), per step count, the share of
answers that failed to parse or validate, and decode speed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from gemma4_ros.decoding.call_parser import CallValidator, ToolCallError, read_calls
from gemma4_ros.decoding.constraint import compile_grammar, load_grammar_tokenizer
from gemma4_ros.decoding.grammar import GrammarOptions, build_grammar
from gemma4_ros.demo.corpus import Example, build_corpus, fingerprint
from gemma4_ros.demo.evaluate import Scores
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.runtime import chat_format as cf
from gemma4_ros.runtime.chat_template import ChatFormat
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.generation import GenerationOptions
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.runtime.tokenizer import Gemma4Tokenizer
from gemma4_ros.tools import ToolRegistry

SYSTEM = "You are the planner of a mobile robot. Answer with tool calls."


def heldout(model_dir: Path, registry: ToolRegistry) -> list[Example]:
    """The held-out split the model was evaluated on in training (seed and sizes from demo.json)."""
    meta_path = model_dir / "demo.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    options = meta.get("options", {})
    corpus = build_corpus(registry, options.get("seed", 0), options.get("n_train", 60000),
                          options.get("n_heldout", 400))
    recorded = meta.get("heldout_sha256")
    if recorded and recorded != fingerprint(corpus.heldout):
        raise Gemma4RosError(
            f"{meta_path}: the held-out split this code generates is not the one the model was "
            "trained beside (the phrasebook, generator or tools.yaml changed)",
            "retrain with python -m gemma4_ros.demo.train, or bench the code it was trained with")
    return list(corpus.heldout)


def run(model_dir: Path, limit: int | None, threads: int, tools: Path | None) -> dict[str, Any]:
    registry = ToolRegistry.load(tools)
    examples = heldout(model_dir, registry)[:limit]
    engine = engine_from_config(RuntimeConfig(model_dir=str(model_dir), providers=["cpu"],
                                              intra_op_threads=threads, max_new_tokens=160))
    tokenizer = Gemma4Tokenizer.from_model_dir(model_dir)
    chat = ChatFormat.from_model_dir(model_dir)
    declarations = [{"type": "function", "function": t.declaration()} for t in registry.tools]
    schemas = [(t.name, t.parameters) for t in registry.tools]
    grammar_tokenizer = load_grammar_tokenizer(model_dir / "tokenizer.json", engine.eos_token_id,
                                               engine.model.files.info.vocab_size)
    compiled = compile_grammar(grammar_tokenizer, build_grammar(schemas, GrammarOptions(mode="auto")))
    validator = CallValidator({name: schema for name, schema in schemas})
    scores, invalid, generated, seconds = Scores(), 0, 0, 0.0
    for example in examples:
        prompt = chat.render([cf.system(SYSTEM), cf.user(example.command)], declarations)
        constraint = compiled.new_constraint()
        options = GenerationOptions(logits_processor=constraint.mask_logits,
                                    on_commit=constraint.commit_and_prefetch,
                                    forced_tokens=constraint.forced_tokens)
        start = time.perf_counter()
        ids = engine.generate(tokenizer.encode(prompt), options).run()
        seconds += time.perf_counter() - start
        generated += len(ids)
        answer = tokenizer.decode(ids)
        invalid += isinstance(read_calls(answer, validator), ToolCallError)
        scores.add(example, answer)
    summary = scores.summary()
    return {
        "heldout_exact_match": summary["exact_match"],
        "heldout_args_accuracy": summary["args_accuracy"],
        "n_heldout": summary["n"],
        "exact_match_by_kind": summary["by_kind"],
        "invalid_answers": invalid,
        "tokens_per_s": round(generated / seconds, 1) if seconds else 0.0,
        "model_dir": str(model_dir),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="exported demo model directory")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N commands")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--tools", type=Path, default=None,
                        help="tools.yaml the model was trained for (default: the packaged one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.model, args.limit, args.threads, args.tools)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
