"""`GET /v1/entitlements` on the sample content: country, service, situation, topic, language."""
from __future__ import annotations

import pytest

from service_directory.entitlements_data.load import load_sample_entitlements, read_sample
from service_directory.models.entitlements import Entitlement


@pytest.fixture
def sample(accounts_app):
    with accounts_app.sessions.begin() as session:
        load_sample_entitlements(session)
    return accounts_app


def get(app, **params):
    return app.client.get("/v1/entitlements", params=params)


ROUTE = {"co", "pe", "ec", "br", "cl", "pa", "mx", "do", "tt", "gy"}
SERVICE_TYPES = {"hiv_testing", "hiv_treatment", "prep", "pep", "tb_testing", "tb_treatment",
                 "sti_testing", "contraception", "prenatal_care", "gbv_care", "mental_health",
                 "emergency_care"}


def test_every_sample_statement_has_a_public_source_and_awaits_local_review():
    entries, contacts = read_sample()
    assert {e["country"] for e in entries} == ROUTE
    assert all(e["source_url"].startswith("http") and e["needs_local_review"] for e in entries)
    assert all(c["sample"] for c in contacts if c["kind"] == "ngo_hotline")
    assert all(c["source_url"] for c in contacts if c["phone"] or c["whatsapp"])


def test_every_country_of_the_route_answers_every_service_with_lines_to_call():
    entries, contacts = read_sample()
    for country in ROUTE:
        covered = {e["service_type"] for e in entries
                   if e["country"] == country and e["topic"] == "access"}
        assert covered == SERVICE_TYPES, (country, sorted(SERVICE_TYPES - covered))
        assert any(e["country"] == country and e["topic"] == "confidentiality" for e in entries)
        kinds = {c["kind"] for c in contacts if c["country"] == country and c["phone"]}
        assert kinds & {"emergency", "ambulance", "police"}, country
        assert "gbv" in kinds, country
    regional = [c for c in contacts if c["country"] is None and not c["sample"]]
    assert regional and all(c["phone"] or c["whatsapp"] for c in regional)


def test_a_contact_without_a_number_is_refused(tmp_path):
    from service_directory.entitlements_data.load import SampleDataError

    (tmp_path / "zz.yml").write_text(
        "country: zz\ncontacts:\n  - {kind: regional, name: R4V, url: 'https://www.r4v.info/'}\n")
    with pytest.raises(SampleDataError, match="no phone or WhatsApp"):
        read_sample(tmp_path)


def test_inline_guidance_needs_every_language_and_fits_an_sms(tmp_path):
    from service_directory.entitlements_data.load import SampleDataError

    entry = ("country: zz\nreviewer: t\nlast_reviewed: 2026-12-05\nentries:\n"
             "  - {service_type: prep, entitled: 'yes', cost: free, source_url: 'https://x.org',"
             " guidance: {en: 'Go to a clinic.', es: 'Ve a una clínica.'}}\n")
    (tmp_path / "zz.yml").write_text(entry)
    with pytest.raises(SampleDataError, match="no text in fr, ht, pt"):
        read_sample(tmp_path)
    long = "x" * 300
    (tmp_path / "zz.yml").write_text(entry.replace(
        "guidance: {en: 'Go to a clinic.', es: 'Ve a una clínica.'}",
        f"guidance: {{en: {long}, es: a, fr: a, ht: a, pt: a}}"))
    with pytest.raises(SampleDataError, match="keep it under 240"):
        read_sample(tmp_path)


def test_loading_the_sample_twice_changes_nothing(accounts_sessions):
    with accounts_sessions.begin() as session:
        first = load_sample_entitlements(session)
    with accounts_sessions.begin() as session:
        load_sample_entitlements(session)
        assert session.query(Entitlement).count() == first["entitlements"]


def test_country_and_service_type_give_structured_entries_and_a_summary(sample):
    body = get(sample, country="BR", service_type="hiv_treatment", lang="en").json()
    assert body["known"] is True and body["country"] == "br"
    assert body["depends_on_situation"] is False
    access = [e for e in body["entries"] if e["topic"] == "access"]
    assert len(access) == 1
    entry = access[0]
    assert entry["entitled"] == "yes" and entry["cost"] == "free"
    assert entry["source_url"].startswith("https://") and entry["needs_local_review"] is True
    assert entry["cite"] and entry["confidence"] in ("high", "medium")
    assert entry["summary"].startswith("You have the right to this care. It is free")
    assert entry["how_to_access"] in entry["summary"]
    assert [c["phone"] for c in body["contacts"]["gbv"]] == ["180"]
    assert [c["phone"] for c in body["contacts"]["emergency"]] == ["192", "190"]


def test_situation_is_asked_only_when_entries_differ(sample):
    body = get(sample, country="co", service_type="hiv_treatment").json()
    assert body["depends_on_situation"] is True
    assert "irregular" in body["situations"]
    same_for_all = get(sample, country="br", service_type="prep").json()
    assert same_for_all["depends_on_situation"] is False and same_for_all["situations"] == []


def test_situation_selects_the_matching_entry(sample):
    body = get(sample, country="co", service_type="hiv_treatment", situation="irregular").json()
    assert body["depends_on_situation"] is False
    assert [e["situation"] for e in body["entries"] if e["topic"] == "access"] == ["irregular"]
    assert body["entries"][0]["summary"].startswith("Without regular papers:")


def test_without_papers_the_papers_line_and_the_guidance_agree(sample):
    # Colombia, HIV treatment without papers: urgent care needs none, but the medicines come
    # through an EPS, which needs the PPT; the answer must not also say "no papers needed".
    body = get(sample, country="co", service_type="hiv_treatment", situation="irregular",
               topic="documents", lang="en").json()
    summary = body["entries"][0]["summary"]
    assert "You do not need papers" not in summary
    assert "PPT" in summary and "urgencias" in summary


def test_a_situation_without_a_specific_entry_gets_the_general_one(sample):
    body = get(sample, country="br", service_type="prep", situation="irregular").json()
    assert [e["situation"] for e in body["entries"] if e["topic"] == "access"] == [None]


def test_unknown_country_says_so_with_a_regional_line_to_call(sample):
    body = get(sample, country="ve", service_type="hiv_testing").json()
    assert body["known"] is False and body["entries"] == []
    assert body["contact_list"] and all(c["country"] is None for c in body["contact_list"])
    reachable = [c for c in body["contact_list"] if c["phone"] or c["whatsapp"]]
    assert reachable


def test_topics_put_the_asked_fact_first(sample):
    cost = get(sample, country="br", service_type="hiv_treatment", topic="cost").json()
    assert cost["entries"][0]["summary"].startswith("It is free in public services.")
    papers = get(sample, country="br", service_type="hiv_treatment", topic="documents").json()
    assert papers["entries"][0]["summary"].startswith("You do not need papers for this.")
    private = get(sample, country="br", service_type="hiv_treatment", topic="confidentiality").json()
    assert [e["topic"] for e in private["entries"]] == ["confidentiality"]
    assert "HIV" in private["entries"][0]["summary"]


def test_confidentiality_answers_are_per_country(sample):
    for country in ("do", "mx", "pa"):
        body = get(sample, country=country, topic="confidentiality").json()
        assert body["entries"] and all(e["topic"] == "confidentiality" for e in body["entries"])


def test_contacts_mark_the_ngo_placeholder_as_sample(sample):
    body = get(sample, country="tt", service_type="hiv_testing", lang="es").json()
    ngo = body["contacts"]["ngo_hotline"]
    assert ngo and ngo[0]["sample"] is True and ngo[0]["phone"] is None
    assert {c["phone"] for c in body["contacts"]["emergency"]} >= {"999", "811"}
    assert all(c["label"] for c in body["contact_list"])


@pytest.mark.parametrize("params, field", [
    ({"country": "co", "lang": "xx"}, "lang"),
    ({"country": "co", "service_type": "dentist"}, "service_type"),
    ({"country": "co", "situation": "tourist"}, "situation"),
    ({"country": "co", "topic": "weather"}, "topic"),
    ({"country": "colombia"}, "country"),
])
def test_invalid_parameters_are_422_with_a_clear_message(sample, params, field):
    response = get(sample, **params)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["query", field]
    assert "use one of" in detail["msg"] or "ISO 3166-1" in detail["msg"]


def test_country_is_required(sample):
    assert sample.client.get("/v1/entitlements").status_code == 422


@pytest.mark.parametrize("lang, start", [
    ("es", "Tienes derecho a esta atención."), ("fr", "Vous avez droit à ces soins."),
    ("ht", "Ou gen dwa resevwa swen sa a."), ("pt", "Você tem direito a este atendimento."),
])
def test_summary_and_labels_come_from_the_catalog_of_the_language(sample, lang, start):
    body = get(sample, country="br", service_type="hiv_treatment", lang=lang, topic="rights").json()
    access = [e for e in body["entries"] if e["topic"] == "access"][0]
    assert access["summary"].startswith(start)
    assert all(c["label"] for c in body["contact_list"])


def test_every_rights_text_is_translated_in_every_language():
    from service_directory.catalogs import load
    from service_directory.config import LANGUAGES
    from service_directory.messages_rights import MESSAGES_RIGHTS

    for lang in LANGUAGES:
        catalog = load(lang)
        for key, message in MESSAGES_RIGHTS.items():
            entry = catalog.get(message.sms)
            assert entry is not None and entry.string and not entry.fuzzy, (lang, key)


def test_every_country_says_how_to_join_its_public_health_system(sample):
    entries, _ = read_sample()
    assert {e["country"] for e in entries if e["topic"] == "enrolment"} == ROUTE
    body = get(sample, country="br", topic="enrolment", lang="pt").json()
    assert [e["topic"] for e in body["entries"]] == ["enrolment"]
    assert "UBS" in body["entries"][0]["summary"]
