import re
from pathlib import Path

import pytest
import simplemma
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

import okienko
from okienko.search.analysis import (
    _classify,
    _english_lemma,
    analyse_query,
    detect_language,
    fold,
    text_terms,
    word_terms,
)


def test_fold_removes_case_and_diacritics():
    assert fold("Żółw") == "zolw"
    assert fold("ŁÓDŹ") == "lodz"
    assert fold("Straße") == "strasse"


def test_polish_word_gives_its_lemmas_without_sense_marks():
    assert word_terms("zamówień", "pl") == {"zamowien", "zamowienie", "zamowic"}
    assert word_terms("żółw", "pl") == {"zolw"}
    assert word_terms("paczki", "pl") == {"paczki", "paczka", "paczek"}


def test_english_word_gives_its_english_lemma():
    assert word_terms("orders", "en") == {"orders", "order"}
    assert word_terms("boxes", "en") == {"boxes", "box"}


@pytest.mark.parametrize(
    "word",
    ["orders", "went", "mice", "children", "better", "studies", "re-shipped", "couldn't", "xyzzy"],
)
def test_english_lemmas_from_the_compressed_dictionary_are_simplemmas_own(word):
    assert _english_lemma(word) == simplemma.lemmatize(word, lang="en")


def test_inflected_forms_share_a_term():
    forms = ["zamówienie", "zamówienia", "zamówieniem", "zamówień"]
    shared = set.intersection(*(set(word_terms(form, "pl")) for form in forms))
    assert "zamowienie" in shared


def test_text_terms_are_distinct_in_order_of_first_occurrence():
    terms = text_terms(["Żółw, paczka i paczki"], "pl")

    assert terms[0] == "zolw"
    assert len(terms) == len(set(terms))
    assert set(terms) == {"zolw", "i", *word_terms("paczka", "pl"), *word_terms("paczki", "pl")}


def test_language_detection_is_polish_or_english_with_a_hint_for_short_texts():
    assert detect_language("Dzień dobry, gdzie jest moja paczka z zamówienia?") == "pl"
    assert detect_language("Hello, where is the parcel I ordered last week?") == "en"
    assert detect_language("OK", hint="en") == "en"


def test_query_words_match_any_form_and_the_last_one_as_a_prefix():
    words = analyse_query("zamówień pacz")

    assert [word.text for word in words] == ["zamówień", "pacz"]
    assert "zamowienie" in words[0].terms
    assert words[0].prefix == ""
    assert words[1].prefix == "pacz"


def test_single_letters_are_dropped_from_longer_queries():
    assert [word.text for word in analyse_query("zwrot w sklepie")] == ["zwrot", "sklepie"]


def test_phone_number_typed_with_spaces_is_one_word():
    (word,) = analyse_query("+48 600 100 200")
    assert word.terms == {"48600100200", "600100200"}
    (nip,) = analyse_query("526-025-02-74")
    assert nip.terms == {"5260250274"}


def _sample_texts() -> list[str]:
    """Some 1,700 Polish and English texts: the interface's messages and their translations,
    and text in other scripts and languages."""
    catalogue = Path(okienko.__file__).parent / "locale/pl/LC_MESSAGES/django.po"
    messages = re.findall(r'^msg(?:id|str)(?:_plural|\[\d\])? "(.+)"$', catalogue.read_text(), re.M)
    return [
        *messages,
        "Здравствуйте, мой заказ не пришёл, помогите пожалуйста",
        "注文した商品がまだ届いていません。確認をお願いします。",
        "Guten Tag, meine Bestellung ist noch nicht angekommen.",
        "Zamówienie #123 — order not delivered 😠 prosze o zwrot!!!",
        "ŻÓŁĆ GĘŚLĄ JAŹŃ",
        "",
    ]


def test_language_detection_gives_what_the_model_read_by_py3langid_gives():
    weights, priors, classes, next_move, rows, outputs = load_model(MODEL_DIR / MODEL_FILE)
    languages = ["pl", "en"]
    kept = [classes.index(language) for language in languages]
    model = LanguageIdentifier(
        weights[:, kept], priors[kept], languages, next_move, outputs, tk_row=rows, norm_probs=True
    )
    texts = _sample_texts()

    assert len(texts) > 1_000
    assert [_classify(text) for text in texts] == [model.classify(text) for text in texts]
