"""Audio features equal transformers' Gemma4AudioFeatureExtractor bit for bit; soft-token counts
equal the processor's; other rates and channel layouts resample as transformers' load_audio does."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.media import audio_features as af

transformers = pytest.importorskip("transformers")
from transformers.audio_utils import load_audio  # noqa: E402
from transformers.models.gemma4 import Gemma4AudioFeatureExtractor, Gemma4Processor  # noqa: E402

# 10 ms is the shortest clip with a valid frame; the others cross the 128-sample padding, the
# 40 ms token boundary and the 30 s limit.
LENGTHS = [161, 200, 257, 1000, 16_000, 16_001, 33_333, 160_000, af.MAX_SAMPLES]


@pytest.fixture(scope="module")
def extractor() -> Gemma4AudioFeatureExtractor:
    return Gemma4AudioFeatureExtractor()


def _speechlike(length: int, seed: int) -> np.ndarray:
    """Noise plus a gliding tone and silence: broadband, tonal and near-log(0) bins all appear."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) / af.SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * (200 + 900 * t) * t)
    audio = tone + 0.05 * rng.standard_normal(length)
    audio[length // 3: length // 2] = 0.0
    return audio.astype(np.float32)


def _processor_token_count(mask: np.ndarray) -> int:
    """Ask the processor's own placeholder expansion how many <|audio|> tokens this mask needs."""
    stub = SimpleNamespace(boa_token="<boa>", audio_token="A", eoa_token="<eoa>")
    text = Gemma4Processor.replace_audio_token(stub, {"input_features_mask": [mask]}, 0)
    return text.count("A")


@pytest.mark.parametrize("length", LENGTHS)
def test_features_equal_extractor(extractor: Gemma4AudioFeatureExtractor, length: int) -> None:
    audio = _speechlike(length, length)
    ref = extractor([audio], return_tensors="np")
    ours = af.extract_audio_features(audio)
    assert ours.input_features.dtype == np.float32 and ours.input_features_mask.dtype == np.bool_
    assert ours.input_features.shape == ref["input_features"].shape
    np.testing.assert_array_equal(ours.input_features, ref["input_features"])
    np.testing.assert_array_equal(ours.input_features_mask, ref["input_features_mask"])
    assert ours.num_soft_tokens == _processor_token_count(ref["input_features_mask"][0])
    assert ours.duration_s == pytest.approx(length / af.SAMPLE_RATE)


def test_thirty_seconds_is_the_most_soft_tokens() -> None:
    assert af.extract_audio_features(_speechlike(af.MAX_SAMPLES, 1)).num_soft_tokens == 750
    assert af.extract_audio_features(_speechlike(16_000, 1)).num_soft_tokens == 25  # 40 ms each


def test_mel_filters_equal_transformers(extractor: Gemma4AudioFeatureExtractor) -> None:
    np.testing.assert_array_equal(af.mel_filters(), extractor.mel_filters)


def test_longer_than_thirty_seconds_errors_unless_truncated(extractor) -> None:
    audio = _speechlike(af.MAX_SAMPLES + 16_000, 2)
    with pytest.raises(Gemma4RosError, match="31.00 s long") as error:
        af.extract_audio_features(audio)
    assert "truncate=True" in error.value.hint
    ours = af.extract_audio_features(audio, truncate=True)
    ref = extractor([audio], return_tensors="np")  # the extractor cuts at 480,000 samples itself
    np.testing.assert_array_equal(ours.input_features, ref["input_features"])
    assert ours.num_soft_tokens == 750 and ours.duration_s == 30.0


@pytest.mark.parametrize(("rate", "channels", "subtype"), [
    (44_100, 2, "PCM_16"), (48_000, 1, "PCM_16"), (8_000, 1, "PCM_16"), (22_050, 3, "FLOAT"),
    (16_000, 2, "PCM_16"),
])
def test_resampling_equals_transformers_load_audio(tmp_path, rate: int, channels: int,
                                                   subtype: str) -> None:
    """transformers' load_audio decodes with soundfile, averages channels and resamples with soxr_hq
    to ceil(n·16000/rate) samples; our path from the decoded array must give the same samples."""
    frames = int(rate * 1.37)
    rng = np.random.default_rng(rate)
    audio = (0.4 * rng.standard_normal((frames, channels))).clip(-1, 1).astype(np.float32)
    path = tmp_path / "clip.wav"
    soundfile.write(path, audio, rate, subtype=subtype)
    expected = load_audio(str(path), sampling_rate=16_000, backend="soundfile")
    as_read, _ = soundfile.read(path, dtype="int16" if subtype == "PCM_16" else "float32")
    ours = af.to_mono_16k(as_read, rate)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, expected)


def test_int16_and_float_pcm_give_the_same_features() -> None:
    pcm = (np.random.default_rng(3).standard_normal(8000) * 6000).astype(np.int16)
    from_int = af.extract_audio_features(pcm)
    from_float = af.extract_audio_features(pcm.astype(np.float32) / 32768)
    np.testing.assert_array_equal(from_int.input_features, from_float.input_features)


@pytest.mark.parametrize(("samples", "rate", "message"), [
    (np.zeros(160, np.float32), 16_000, "more than 160"),
    (np.zeros(0, np.int16), 16_000, "0 samples"),
    (np.zeros(0, np.int16), 48_000, "0 samples"),
    (np.array([0.1, np.nan] * 200, np.float32), 16_000, "NaN"),
    (np.zeros(1000, np.complex64), 16_000, "complex64"),
    (np.zeros((2, 16_000), np.float32), 16_000, "transpose"),
    (np.zeros((10, 10, 10), np.float32), 16_000, "shape"),
    (np.zeros(1000, np.float32), 0, "not positive"),
])
def test_bad_audio_is_rejected_with_a_fix(samples: np.ndarray, rate: int, message: str) -> None:
    with pytest.raises(Gemma4RosError, match=message) as error:
        af.extract_audio_features(samples, rate)
    assert error.value.hint


def test_soft_token_count_follows_the_encoder_subsampling() -> None:
    assert af.audio_soft_tokens(np.ones(4, bool)) == 1
    assert af.audio_soft_tokens(np.ones(5, bool)) == 2
    assert af.audio_soft_tokens(np.array([1, 1, 1, 1, 1, 0, 0, 0, 0], bool)) == 2
    for frames in range(1, 40):
        mask = np.arange(frames) < frames - frames // 3
        assert af.audio_soft_tokens(mask) == _processor_token_count(mask)


def test_soft_token_count_equals_the_audio_towers_valid_outputs() -> None:
    """The placeholders must match the rows the encoder marks valid, or merging fails: a tiny random
    Gemma4AudioModel run on our features and mask says how many it keeps."""
    torch = pytest.importorskip("torch")
    from transformers.models.gemma4 import Gemma4AudioConfig, Gemma4AudioModel

    config = Gemma4AudioConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               subsampling_conv_channels=[128, 8], output_proj_dims=16)
    torch.manual_seed(0)
    tower = Gemma4AudioModel(config).eval()
    for length in (161, 1000, 16_001, 33_333):
        ours = af.extract_audio_features(_speechlike(length, length))
        with torch.no_grad():
            out = tower(torch.from_numpy(ours.input_features),
                        attention_mask=torch.from_numpy(ours.input_features_mask))
        assert int(out.attention_mask.sum()) == ours.num_soft_tokens
