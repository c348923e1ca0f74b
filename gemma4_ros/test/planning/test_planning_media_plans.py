"""Plans from an image and a voice clip on the tiny random-weight multimodal Gemma 4 (ONNX, CPU).

The weights are random, so what is proven is the path, not the plan: every request with a camera
frame and an audio clip goes through both encoders, their soft tokens take their rows in the
prompt, and constrained decoding still yields only schema-valid plans. The default run plans 12
requests; the ``slow`` test 200 (the issue's figure).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from planning_fakes import RANDOM_SAFE
from test_planning_fixture_model import instructions

from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.runtime.loader import engine_from_config
from gemma4_ros.testing.fixture_models import FixtureModel, FixtureUnavailable, fixture_model


@pytest.fixture(scope="module")
def multimodal_model() -> FixtureModel:
    try:
        return fixture_model("tiny_multimodal")
    except FixtureUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def media_planner(multimodal_model, tokenizer, registry) -> Planner:
    runtime = RuntimeConfig(model_dir=str(multimodal_model.onnx_dir), providers=["cpu"],
                            intra_op_threads=1, image_soft_tokens=70)
    engine = engine_from_config(runtime)
    config = PlannerConfig(system_prompt="You plan robot tasks.", **RANDOM_SAFE)
    return Planner(engine, tokenizer, registry, config)


def check_media_plans(planner: Planner, registry, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    choice = random.Random(seed)
    base = "go to the dock"
    base_tokens = planner.plan(base).prompt_tokens
    model = planner.engine.model
    for instruction in instructions(count, seed):
        height, width = int(rng.integers(48, 200)), int(rng.integers(48, 200))
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        audio = (rng.standard_normal(int(rng.integers(4_000, 24_000))) * 0.1).astype(np.float32)
        use_image, use_audio = choice.choice([(True, False), (False, True), (True, True)])
        plan = planner.plan(instruction, image=image if use_image else None,
                            audio=audio if use_audio else None)
        assert all(registry.validate(step.call) == [] for step in plan.steps), plan
        assert plan.steps or plan.summary
        rows = (model.encode_image(image).soft_tokens if use_image else 0) + (
            model.encode_audio(audio).soft_tokens if use_audio else 0)
        text_delta = len(planner.tokenizer.encode(instruction)) - len(planner.tokenizer.encode(base))
        # every soft token of the image and the clip has its row in the prompt (±2 for the BPE
        # merging differently at the instruction's edges)
        assert plan.prompt_tokens >= base_tokens + text_delta + rows - 2, (plan.prompt_tokens, rows)


def test_12_requests_with_image_and_voice_give_schema_valid_plans(media_planner, registry) -> None:
    check_media_plans(media_planner, registry, 12, seed=5)


@pytest.mark.slow
def test_200_requests_with_image_and_voice_give_schema_valid_plans(media_planner,
                                                                    registry) -> None:
    check_media_plans(media_planner, registry, 200, seed=6)
