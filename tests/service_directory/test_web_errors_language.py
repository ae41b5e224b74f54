"""Errors in her language: the opening hours, the import page (every problem the
importer finds, and the upload's own) and the invite form speak the catalogs' five
languages; the CLI and the API keep saying them in English."""
from __future__ import annotations

from html import unescape

import pytest

from service_directory.hsds.texts import Text, said_in
from service_directory.i18n import translations

from .test_web import (csrf_of, fresh_throttle, person, sign_in, small_package_zip,  # noqa: F401
                       two_orgs, version_of)
from .test_web_service_places import clinic, form_of  # noqa: F401


def test_hour_errors_are_in_her_language(two_orgs):
    person(two_orgs, "curator", "lia@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "lia@ngo.example")
    page = two_orgs.client.get("/ui/services/org-a-old?lang=es").text
    form = {"csrf": csrf_of(page), "version": version_of(page), "name": "Clinic org-a",
            "MO_opens": "8h", "MO_closes": "12:00", "TU_opens": "08:00",
            "WE_opens": "08:00", "WE_closes": "13:00", "WE_opens_2": "12:00",
            "WE_closes_2": "16:00"}
    bad = unescape(two_orgs.client.post("/ui/services/org-a-old", data=form).text)
    assert "'8h' no es una hora; escríbela como 08:00" in bad
    assert "escribe las dos horas, o ninguna (cerrado)" in bad
    assert "08:00–13:00 y 12:00–16:00 se superponen" in bad
    kreyol = unescape(two_orgs.client.post("/ui/services/org-a-old?lang=ht", data=form).text)
    assert "'8h' se pa yon lè" in kreyol


def test_the_import_page_says_every_problem_in_her_language(accounts_app):
    person(accounts_app, "admin", "max@ngo.example")
    sign_in(accounts_app, "max@ngo.example")
    client = accounts_app.client
    token = csrf_of(client.get("/ui/import?lang=pt").text)
    data = small_package_zip({
        "addresses.csv": ["adr-pos,loc-pos,1 Frederick Street,Port of Spain,,,TT,physical"],
        "locations.csv": ["loc-pos,physical,org-sample-sdq,Port of Spain office,10.6596,-61.5019,",
                          "loc-bad,physical,org-sample-sdq,Bad,12.5,-200,"],
        "phones.csv": ["ph-old,,svc-sample-tb,623-4567,voice"]})
    dry = unescape(client.post("/ui/import", data={"csrf": token},
                               files={"package": ("caribe.zip", data, "application/zip")}).text)
    assert "a longitude -200 está fora do intervalo: deve estar entre -180 e 180" in dry
    assert "mantido como escrito: confira" in dry  # a phone in a national format, nested
    assert "a partir da cidade (confira)" in dry  # state_province filled from the city
    assert "is out of range" not in dry and "kept as written" not in dry
    odd = unescape(client.post("/ui/import?lang=fr", data={"csrf": token}, files=[
        ("package", ("servicios.csv", b"id,name\n", "text/csv"))]).text)
    assert "servicios.csv n'est pas une table HSDS" in odd
    mixed = unescape(client.post("/ui/import?lang=es", data={"csrf": token}, files=[
        ("package", ("p.zip", data, "application/zip")),
        ("package", ("services.csv", b"id,name\n", "text/csv"))]).text)
    assert "envía un zip o los archivos CSV, no los dos" in mixed


def test_a_curators_refused_package_is_explained_in_her_language(accounts_app):
    person(accounts_app, "curator", "noa@ngo.example", orgs=())
    sign_in(accounts_app, "noa@ngo.example")
    token = csrf_of(accounts_app.client.get("/ui/import?lang=es").text)
    refused = accounts_app.client.post("/ui/import", data={"csrf": token}, files={
        "package": ("p.zip", small_package_zip({}), "application/zip")})
    assert refused.status_code == 403
    assert "este paquete tiene filas de organizaciones que no curas: org-sample" in refused.text


@pytest.mark.parametrize("lang, name_missing, taken", [
    ("es", "Escribe el nombre de la persona.", "Alguien ya tiene el correo ota@ngo.example."),
    ("fr", "Indiquez le nom de la personne.", "Quelqu'un a déjà l'adresse ota@ngo.example."),
    ("ht", "Ekri non moun nan.", "Gen yon moun ki deja gen imèl ota@ngo.example."),
    ("pt", "Escreva o nome da pessoa.", "Alguém já tem o e-mail ota@ngo.example."),
])
def test_invite_form_errors_are_in_her_language(two_orgs, lang, name_missing, taken):
    person(two_orgs, "admin", "ota@ngo.example")
    sign_in(two_orgs, "ota@ngo.example")
    client = two_orgs.client
    token = csrf_of(client.get(f"/ui/users?lang={lang}").text)
    invite = {"csrf": token, "name": "", "email": "new@ngo.example", "role": "curator",
              "organization": "org-a"}
    no_name = client.post("/ui/users", data=invite)
    assert no_name.status_code == 422 and name_missing in unescape(no_name.text)
    invite.update(name="Ota again", email="OTA@ngo.example")
    again = client.post("/ui/users", data=invite)
    assert again.status_code == 422 and taken in unescape(again.text)
    invite.update(email="not-an-address")
    assert "not-an-address" in unescape(client.post("/ui/users", data=invite).text)
    invite.update(email="new@ngo.example", organization="org-zz")
    unknown = unescape(client.post("/ui/users", data=invite).text)
    assert "org-zz" in unknown and "No organization has the id" not in unknown


def test_the_api_and_cli_keep_the_english_sentence():
    from service_directory.hsds import values

    with pytest.raises(ValueError) as raised:
        values.latitude(100)
    sentence = raised.value.args[0]
    assert isinstance(sentence, Text) and str(raised.value) == \
        "latitude 100 is out of range: it must be between -90 and 90"
    assert said_in(sentence, translations("es").gettext).startswith("la latitud 100 está fuera")
    assert said_in("plain", translations("es").gettext) == "plain"


def test_place_and_phone_errors_are_in_her_language(clinic):
    client = clinic.client
    form = form_of(client.get("/ui/services/org-a-old?lang=es").text)
    form.update(loc0_latitude="100", new_longitude="cerca", phone0_number="12",
                phone_new_number="6075551234x", languages="es, spanish",
                new_place="Nowhereville Xq", new_name="")
    bad = client.post("/ui/services/org-a-old", data=form)
    assert bad.status_code == 422
    html = unescape(bad.text)
    assert "la latitud 100 está fuera de rango" in html
    assert "'cerca' no es un número; escríbelo como -12.0464" in html
    assert "'12' no está en formato E.164: empieza con + y el código del país" in html
    assert "'spanish' no es un código de idioma" in html
    assert "no se conoce ningún lugar llamado 'Nowhereville Xq'; da las coordenadas" in html
    assert "ponle un nombre al lugar" in html
    assert "is out of range" not in html and "E.164 form" not in html
    form.update(loc0_latitude="7.8939", loc0_longitude="", phone0_number="+576075551234",
                phone_new_number="", languages="es", new_place="San José", new_address_1="",
                new_longitude="")
    kreyol = unescape(client.post("/ui/services/org-a-old?lang=ht", data=form).text)
    assert "plizyè kote rele 'San José': San José (CR), San José (AR)" in kreyol
    assert "ekri latitid ak lonjitid, oswa okenn" in kreyol
    form.update(loc0_longitude="-72.5078", new_place="", new_name="", new_address_1="Rua 1")
    portuguese = unescape(client.post("/ui/services/org-a-old?lang=pt", data=form).text)
    assert "está vazio; um endereço precisa da rua e da cidade" in portuguese
    assert "está vazio; um endereço precisa do país" in portuguese
    assert "dê um nome ao local" in portuguese
    form.update(loc0_longitude="", new_place="San José", new_address_1="")
    english = unescape(client.post("/ui/services/org-a-old?lang=en", data=form).text)
    assert "several places are called 'San José'" in english
    assert "give both latitude and longitude, or neither" in english
