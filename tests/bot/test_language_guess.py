"""Language guessing: clear texts are recognised, short or ambiguous ones never flip."""
import pytest

from bot.components.language_guess import guess_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("mwen bezwen fè tès VIH, ki kote?", "ht"),
        ("necesito la prueba de vih, no tengo papeles", "es"),
        ("j'ai besoin d'un test VIH, où aller ?", "fr"),
        ("I need an HIV test, where can I go?", "en"),
        ("preciso fazer o teste de HIV, onde posso ir?", "pt"),
        ("hola", "es"),
        ("Bonjou", "ht"),
        ("bom dia", "pt"),
    ],
)
def test_clear_text_is_recognised(text, language):
    guess = guess_language(text)
    assert guess is not None and guess[0] == language


@pytest.mark.parametrize("text", ["ok", "si", "1", "sí", "no", "MORE", "👍", "", "   "])
def test_short_or_ambiguous_text_gives_no_guess(text):
    assert guess_language(text) is None


@pytest.mark.parametrize(
    "text, language",
    [
        ("m nan Estación Central", "ht"),
        ("mwen nan Santo Domingo", "ht"),
        ("kisa pou m montre lopital la", "ht"),
        ("je vis à São Paulo", "fr"),
        ("estou em Boa Vista", "pt"),
        ("tô grávida e a bolsa estourou", "pt"),
        ("me voy a Perú la otra semana", "es"),
    ],
)
def test_place_names_and_loanwords_do_not_mislead(text, language):
    guess = guess_language(text)
    assert guess is not None and guess[0] == language


@pytest.mark.parametrize("text", ["ok thanks", "si claro", "ok merci", "ok wi", "no no",
                                  "ok ok ok ok", "sim sim", "1 2 3"])
def test_two_word_replies_never_flip(text):
    assert guess_language(text) is None
