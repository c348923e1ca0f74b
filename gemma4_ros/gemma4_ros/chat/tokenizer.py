"""Gemma 4's ``tokenizer.json`` through the ``tokenizers`` library, with no hidden behaviour.

Three choices matter for a robot that must never mis-read a prompt:

* ``encode`` never adds ``<bos>`` on its own. The real ``tokenizer.json`` carries a post-processor
  that prepends ``<bos>``, and the chat template already writes ``<bos>`` into the prompt text, so
  letting both happen silently doubles it. Callers say ``add_bos=True`` when they mean it.
* Control tokens are found by their strings (``token_id("<|turn>")``), never by hard-coded ids,
  because the fixture tokenizers number them differently from the real vocabulary.
* Untrusted text can be encoded with ``parse_special=False``: ``"<|tool_call>"`` typed by a person
  then becomes ordinary characters instead of the control token.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from tokenizers import Tokenizer

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import BOS, SPECIAL_TOKENS

TOKENIZER_FILE = "tokenizer.json"
_REPLACEMENT_CHAR = "\ufffd"
# A UTF-8 character is at most 4 bytes, so a byte-fallback run still incomplete after this many
# pending tokens is invalid for good: emit it rather than buffer a random model's bytes forever.
_MAX_PENDING_TOKENS = 4


class TokenizerError(Gemma4RosError):
    """The tokenizer file is missing, unreadable or lacks a token the package needs."""


class MissingSpecialTokenError(TokenizerError):
    """A control token the prompt format needs is not in the tokenizer's vocabulary."""

    def __init__(self, token: str, source: str) -> None:
        self.token = token
        self.source = source
        super().__init__(
            f"{source}: token {token!r} is not in the vocabulary",
            "use the tokenizer.json that ships with the Gemma 4 model, or build a fixture with "
            "gemma4_ros.testing.fixture_tokenizer.build_fixture_tokenizer (it adds every "
            "Gemma 4 control token)",
        )


@dataclasses.dataclass(frozen=True)
class SpecialTokenIds:
    """Ids of every Gemma 4 control token in one tokenizer; field names as in ``SPECIAL_TOKENS``."""

    pad: int
    eos: int
    bos: int
    unk: int
    mask: int
    turn_start: int
    turn_end: int
    tool_start: int
    tool_end: int
    tool_call_start: int
    tool_call_end: int
    tool_response_start: int
    tool_response_end: int
    string_delim: int
    think: int
    channel_start: int
    channel_end: int
    image_start: int
    image: int
    image_end: int
    audio_start: int
    audio: int
    audio_end: int
    video: int


class Gemma4Tokenizer:
    """Encode, decode and look up control tokens for one ``tokenizer.json``."""

    def __init__(self, backend: Tokenizer, source: str) -> None:
        self._backend = backend
        self._literal: Optional[Tokenizer] = None
        self.source = source
        self._special_ids: Optional[SpecialTokenIds] = None
        # Read once: every decode checks ids against it, and asking the backend costs more than
        # the check (the vocabulary of a loaded tokenizer.json does not change).
        self._vocab_size: int = backend.get_vocab_size(with_added_tokens=True)

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> "Gemma4Tokenizer":
        """Load a ``tokenizer.json``; a missing or corrupt file names itself and the fix."""
        path = Path(path)
        if not path.is_file():
            raise TokenizerError(
                f"{path}: tokenizer file not found",
                "point the model directory at a Gemma 4 export that contains tokenizer.json "
                "(`gemma4-ros export` writes one; the public ONNX exports ship one)",
            )
        try:
            backend = Tokenizer.from_file(str(path))
        except Exception as error:  # the Rust side raises plain Exception on bad JSON
            raise TokenizerError(
                f"{path}: not a valid tokenizers JSON file ({error})",
                "re-download or re-export tokenizer.json; it is probably truncated or a Git LFS "
                "pointer",
            ) from error
        return cls(backend, str(path))

    @classmethod
    def from_model_dir(cls, model_dir: Union[str, Path]) -> "Gemma4Tokenizer":
        """Load ``MODEL_DIR/tokenizer.json``."""
        return cls.from_file(Path(model_dir) / TOKENIZER_FILE)

    @property
    def backend(self) -> Tokenizer:
        """The underlying ``tokenizers.Tokenizer`` (for grammar engines that need it)."""
        return self._backend

    @property
    def vocab_size(self) -> int:
        """Number of ids, added tokens included: the width a logits row must have at least."""
        return self._vocab_size

    def encode(self, text: str, *, add_bos: bool = False, parse_special: bool = True) -> list[int]:
        """Ids for ``text``; ``<bos>`` only when asked; control-token strings kept literal if
        ``parse_special`` is false (use that for text from outside)."""
        backend = self._backend if parse_special else self._literal_backend()
        ids = backend.encode(text, add_special_tokens=False).ids
        return [self.token_id(BOS), *ids] if add_bos else ids

    def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = False) -> str:
        """Text for ``ids``; control tokens are kept unless ``skip_special_tokens``."""
        ids = [int(token_id) for token_id in ids]
        self._check_ids(ids)
        return self._backend.decode(ids, skip_special_tokens=skip_special_tokens)

    def token_id(self, token: str) -> int:
        """Id of a token string; raises :class:`MissingSpecialTokenError` if absent."""
        token_id = self._backend.token_to_id(token)
        if token_id is None:
            raise MissingSpecialTokenError(token, self.source)
        return token_id

    def has_token(self, token: str) -> bool:
        """Whether ``token`` is one entry of the vocabulary."""
        return self._backend.token_to_id(token) is not None

    def id_to_token(self, token_id: int) -> str:
        """The vocabulary entry for ``token_id``."""
        self._check_ids([token_id])
        token = self._backend.id_to_token(int(token_id))
        if token is None:  # an id inside the range that the vocabulary skips
            raise TokenizerError(
                f"{self.source}: token id {token_id} has no entry in the vocabulary",
                "use the tokenizer that was exported with this model",
            )
        return token

    @property
    def special_ids(self) -> SpecialTokenIds:
        """Ids of all Gemma 4 control tokens, resolved once by string."""
        if self._special_ids is None:
            ids = {name: self.token_id(token) for name, token in SPECIAL_TOKENS.items()}
            self._special_ids = SpecialTokenIds(**ids)
        return self._special_ids

    def stream_decoder(self, *, skip_special_tokens: bool = False) -> "StreamDecoder":
        """A fresh incremental detokenizer for one generation."""
        return StreamDecoder(self, skip_special_tokens=skip_special_tokens)

    def _literal_backend(self) -> Tokenizer:
        """A twin that reads control-token strings as plain text (built on first use: at 262k
        tokens a second copy costs a second)."""
        if self._literal is None:
            self._literal = Tokenizer.from_str(self._backend.to_str())
            self._literal.encode_special_tokens = True
        return self._literal

    def _check_ids(self, ids: Iterable[int]) -> None:
        size = self.vocab_size
        for token_id in ids:
            if not 0 <= int(token_id) < size:
                raise TokenizerError(
                    f"{self.source}: token id {token_id} is outside the vocabulary (0..{size - 1})",
                    "the model's vocab_size and tokenizer.json disagree: use the tokenizer that "
                    "was exported with this model",
                )


class StreamDecoder:
    """Turns generated ids into text pieces as they arrive, never splitting a character.

    A character outside the vocabulary arrives as several byte-fallback tokens (``<0xE2>``,
    ``<0x82>``, ``<0xAC>`` for "€"); decoding them one by one would print replacement characters.
    So each step decodes a short window (the last emitted tokens as context plus the new ones),
    holds back while the window ends in an incomplete character, and emits the difference.
    ``"".join(pieces) + finish()`` equals ``decode(all_ids)`` for ids that encode text; for
    invalid byte runs (random models) pieces may differ from the full decode only in which
    replacement characters appear.
    """

    def __init__(self, tokenizer: Gemma4Tokenizer, *, skip_special_tokens: bool = False) -> None:
        self._tokenizer = tokenizer
        self._skip = skip_special_tokens
        self._ids: list[int] = []
        self._prefix = 0
        self._read = 0

    def push(self, token_id: int) -> str:
        """Add one generated id; return the text that is now certain (possibly "")."""
        self._ids.append(int(token_id))
        shown = self._decode(self._ids[self._prefix : self._read])
        window = self._decode(self._ids[self._prefix :])
        pending = len(self._ids) - self._read
        if window == shown:  # only skipped special tokens: nothing to show, nothing to wait for
            self._read = len(self._ids)
            return ""
        incomplete = window.endswith(_REPLACEMENT_CHAR) and pending < _MAX_PENDING_TOKENS
        if len(window) <= len(shown) or incomplete:
            return ""
        self._prefix, self._read = self._read, len(self._ids)
        return window[len(shown) :]

    def finish(self) -> str:
        """Flush what is still held back (an incomplete character at the very end)."""
        shown = self._decode(self._ids[self._prefix : self._read])
        window = self._decode(self._ids[self._prefix :])
        self._prefix = self._read = len(self._ids)
        return window[len(shown) :]

    @property
    def ids(self) -> list[int]:
        """All ids pushed so far."""
        return list(self._ids)

    def _decode(self, ids: list[int]) -> str:
        return self._tokenizer.decode(ids, skip_special_tokens=self._skip) if ids else ""
