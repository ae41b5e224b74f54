"""The connectors' building blocks: GSM-7, keywords, pseudonyms, settings."""
import re
from pathlib import Path

import pytest

from connectors import gsm, keywords
from connectors.privacy import country_hint, pseudonym
from connectors.settings import DEV_SECRET, DEV_VAULT_KEY, ConfigurationError, ConnectorSettings

ROOT = Path(__file__).resolve().parents[2]


def test_gsm_characters_spanish_needs_stay_and_others_are_transliterated():
    kept = "ñ é ü ¿ ¡ Ñ à è ù ì ò Ç Ø å Ä Ö Ü ä ö"
    assert gsm.to_gsm7(kept) == kept
    assert gsm.to_gsm7("¿Dónde está la clínica? “Sí” — ça") == '¿Donde esta la clinica? "Si" - ca'
    assert gsm.is_gsm7(gsm.to_gsm7("Olá, você não está só 🙂 ✅"))


def test_emoji_only_text_becomes_empty():
    assert gsm.to_gsm7("😀🙏") == ""


def test_segment_counts_follow_gsm_and_ucs2_limits():
    assert gsm.segment_count("a" * 160) == 1
    assert gsm.segment_count("a" * 161) == 2
    assert gsm.segment_count("a" * 306) == 2
    assert gsm.segment_count("a" * 307) == 3
    assert gsm.segment_count("€" * 80) == 1  # extension characters cost two septets
    assert gsm.segment_count("€" * 81) == 2
    assert gsm.segment_count("á" * 70) == 1 and gsm.encoding("á") == gsm.UCS2
    assert gsm.segment_count("á" * 71) == 2
    assert gsm.segment_count("") == 0


def test_long_text_is_paged_within_three_segments_with_the_hint():
    text = " ".join(f"palabra{i}" for i in range(600))
    pages = gsm.paginate(text, "Responde MAS.")
    assert len(pages) > 1
    assert all(gsm.segment_count(p) <= 3 for p in pages)
    assert all(p.endswith("\nResponde MAS.") for p in pages[:-1])
    rebuilt = " ".join(p.replace("\nResponde MAS.", "") for p in pages).split()
    assert rebuilt == text.split()


@pytest.mark.parametrize("text,kind,language", [
    ("STOP", "stop", "en"), ("baja", "stop", "es"), ("Arrêt.", "stop", "fr"),
    ("kanpe", "stop", "ht"), ("SAIR", "stop", "pt"), ("start", "start", "en"),
    ("comenzar", "start", "es"), ("démarrer", "start", "fr"), ("kòmanse", "start", "ht"),
    ("começar", "start", "pt"), ("ayuda", "help", "es"), ("MÁS", "more", "es"),
])
def test_keywords_are_recognised_in_five_languages(text, kind, language):
    assert keywords.match(text) == keywords.Keyword(kind, language)


def test_shared_keyword_answers_in_the_remembered_language():
    assert keywords.match("parar", remembered_language="pt").language == "pt"
    assert keywords.match("parar").language == "es"


def test_sentences_and_yes_are_not_keywords_unless_opted_out():
    assert keywords.match("stop the reminders for my son") is None
    assert keywords.match("si") is None
    assert keywords.match("si", opted_out=True) == keywords.Keyword("start", "es")


def test_pseudonym_is_stable_secret_dependent_and_not_the_number():
    one = pseudonym("+573001234567", "a")
    assert one == pseudonym("+573001234567", "a") != pseudonym("+573001234567", "b")
    assert "3001234567" not in one and len(one) == 64
    assert pseudonym("whatsapp:+573001234567", "a") != one


def test_country_hint_is_the_calling_codes_country():
    assert country_hint("whatsapp:+573001234567") == "co"
    assert country_hint("+18095551234") == "do"
    assert country_hint("not a number") is None


def test_production_refuses_turning_signature_checks_off():
    env = {"PUENTE_ENV": "production", "APP_SECRET": "s", "VAULT_KEY": "A" * 43 + "=",
           "TWILIO_AUTH_TOKEN": "t", "PUENTE_TWILIO_SKIP_SIGNATURE": "1"}
    with pytest.raises(ConfigurationError, match="development only"):
        ConnectorSettings.from_env(env)
    assert ConnectorSettings.from_env({**env, "PUENTE_TWILIO_SKIP_SIGNATURE": "0"})
    assert not ConnectorSettings.from_env({"PUENTE_TWILIO_SKIP_SIGNATURE": "1"}).validate_signatures


def test_production_refuses_development_secrets():
    with pytest.raises(ConfigurationError, match="APP_SECRET"):
        ConnectorSettings.from_env({"PUENTE_ENV": "production"})


def test_development_defaults_match_the_apps():
    config = (ROOT / "service_directory" / "config.py").read_text()
    assert re.search(rf'DEV_SECRET = "{re.escape(DEV_SECRET)}"', config)
    assert re.search(rf'DEV_VAULT_KEY = "{re.escape(DEV_VAULT_KEY)}"', config)
