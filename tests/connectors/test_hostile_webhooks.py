"""Hostile and malformed webhooks: each gets a clear 4xx or a polite answer, never a
500, and nothing unsigned ever reaches NLU (the FakeRasa records what would have)."""
from __future__ import annotations

import asyncio
import json
import random
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from connectors import gsm, texts
from tests.connectors.conftest import ROOT, sms_form, twiml_messages

SMS, WA = "twilio_sms", "twilio_whatsapp"
NUMBER = "+573001234567"
PATH = "/webhooks/twilio_sms/webhook"
FORM_TYPE = "application/x-www-form-urlencoded"


def catalog(name: str, language: str = "en") -> str:
    return gsm.to_gsm7(texts.text(name, language, ROOT / "locales", hotline="+1 555 0100"))


async def post_raw(webhooks, body: bytes, content_type: str | None = None,
                   signature: str | None = None, path: str = PATH) -> aiohttp.ClientResponse:
    """POST bytes as they are (no form encoding by aiohttp)."""
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    reply = await webhooks.session.post(webhooks.base + path, data=body, headers=headers,
                                        skip_auto_headers=["Content-Type"])
    await reply.read()
    return reply


def signed_as_parsed(webhooks, body: bytes) -> str:
    """The signature Twilio would send for the form these bytes decode to."""
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return webhooks.sign(PATH, form)


@pytest.mark.parametrize("how", ["none", "empty", "other token", "other url", "tampered"])
async def test_unsigned_or_wrongly_signed_webhooks_are_refused_before_nlu(webhooks, how):
    form = sms_form(NUMBER, "hello")
    signature = {
        "none": None,
        "empty": "",
        "other token": webhooks.sign(PATH, form, token="someone-else"),
        "other url": webhooks.sign("/webhooks/twilio_whatsapp/webhook", form),
        "tampered": webhooks.sign(PATH, {**form, "Body": "hi"}),
    }[how]
    reply = await webhooks.post(SMS, form, signature=signature)
    assert reply.status == 403
    assert webhooks.rasa.received == []


async def test_unsigned_status_reports_are_refused(webhooks):
    form = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "21610",
            "To": NUMBER}
    reply = await webhooks.post(SMS, form, signature=None, path_suffix="status")
    assert reply.status == 403
    assert not await webhooks.sms.runtime.is_opted_out(webhooks.sms.runtime.pseudonym(NUMBER))


@pytest.mark.parametrize("missing", ["From", "MessageSid"])
async def test_a_webhook_without_sender_or_message_id_is_a_clear_400(webhooks, missing):
    form = sms_form(NUMBER, "hello")
    del form[missing]
    reply = await webhooks.post(SMS, form)
    assert reply.status == 400 and missing in await reply.text()
    assert webhooks.rasa.received == []


async def test_a_signed_empty_form_is_a_clear_400(webhooks):
    reply = await webhooks.post(SMS, {})
    assert reply.status == 400
    assert webhooks.rasa.received == []


async def test_a_webhook_without_body_is_asked_for_a_question(webhooks):
    form = sms_form(NUMBER, "")
    del form["Body"]
    reply = await webhooks.post(SMS, form)
    assert reply.status == 200
    assert twiml_messages(await reply.text()) == [catalog("channel_empty")]
    assert webhooks.rasa.received == []


@pytest.mark.parametrize("channel,address", [(SMS, NUMBER), (WA, "whatsapp:" + NUMBER)])
async def test_media_only_messages_get_a_text_only_answer(webhooks, channel, address):
    form = sms_form(address, "", NumMedia="1", MediaContentType0="image/jpeg",
                    MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Media/ME1")
    reply = await webhooks.post(channel, form)
    assert reply.status == 200
    assert [gsm.to_gsm7(m) for m in twiml_messages(await reply.text())] == [
        catalog("channel_media_only")]
    assert webhooks.rasa.received == []


@pytest.mark.parametrize("num_media", ["abc", "-1", "", "9" * 40])
async def test_a_nonsense_media_count_is_not_an_error(webhooks, num_media):
    reply = await webhooks.post(SMS, sms_form(NUMBER, "", NumMedia=num_media))
    assert reply.status == 200
    assert twiml_messages(await reply.text()) in ([catalog("channel_empty")],
                                                  [catalog("channel_media_only")])


async def test_a_5000_character_sms_gets_a_polite_answer_and_nlu_reads_1000(webhooks):
    status, messages = await webhooks.text(SMS, NUMBER, "necesito ayuda " * 334)
    assert status == 200 and messages == [webhooks.rasa.reply]
    assert len(webhooks.rasa.texts) == 1 and len(webhooks.rasa.texts[0]) <= 1000


@pytest.mark.parametrize("signed", [True, False])
async def test_a_one_megabyte_body_is_refused_with_413_before_anything(webhooks, signed):
    form = sms_form(NUMBER, "a" * 1_000_000)
    signature = webhooks.sign(PATH, form) if signed else None
    reply = await post_raw(webhooks, urlencode(form).encode(), FORM_TYPE, signature)
    assert reply.status == 413
    assert webhooks.rasa.received == []


@pytest.mark.parametrize("body", [
    b"Body=%FF%FEhola%C3", b"Body=\xff\xfe\xfdhola", b"Body=caf\xc3", b"Body=%ED%A0%80x"])
async def test_invalid_utf8_is_read_with_replacement_characters_and_answered(webhooks, body):
    form = {k: v for k, v in sms_form(NUMBER, "").items() if k != "Body"}
    raw = urlencode(form).encode() + b"&" + body
    reply = await post_raw(webhooks, raw, FORM_TYPE, signed_as_parsed(webhooks, raw))
    assert reply.status == 200
    assert twiml_messages(await reply.text()) == [webhooks.rasa.reply]
    assert len(webhooks.rasa.texts) == 1 and "\ufffd" in webhooks.rasa.texts[0]


async def test_invalid_utf8_unsigned_is_refused(webhooks):
    reply = await post_raw(webhooks, b"From=%2B57300&Body=\xff\xfe", FORM_TYPE)
    assert reply.status == 403
    assert webhooks.rasa.received == []


async def test_a_json_webhook_is_415(webhooks):
    form = sms_form(NUMBER, "hello")
    reply = await post_raw(webhooks, json.dumps(form).encode(), "application/json",
                           webhooks.sign(PATH, form))
    assert reply.status == 415
    assert webhooks.rasa.received == []


async def test_a_multipart_webhook_is_415(webhooks):
    form = sms_form(NUMBER, "hello")
    data = aiohttp.FormData()
    for key, value in form.items():
        data.add_field(key, value)
    data.add_field("file", b"\x00\x01", filename="x.bin", content_type="application/octet-stream")
    reply = await webhooks.session.post(webhooks.base + PATH, data=data,
                                        headers={"X-Twilio-Signature": webhooks.sign(PATH, form)})
    assert reply.status == 415
    assert webhooks.rasa.received == []


async def test_a_form_without_content_type_is_read_as_the_form_it_is(webhooks):
    form = sms_form(NUMBER, "hello")
    reply = await post_raw(webhooks, urlencode(form).encode(), None, webhooks.sign(PATH, form))
    assert reply.status == 200
    assert twiml_messages(await reply.text()) == [webhooks.rasa.reply]


async def test_a_replayed_message_sid_gets_one_answer_and_one_nlu_call(webhooks):
    form = sms_form(NUMBER, "hello")
    first = await webhooks.post(SMS, form)
    retry = await webhooks.post(SMS, form)
    assert first.status == retry.status == 200
    assert twiml_messages(await first.text()) == [webhooks.rasa.reply]
    assert twiml_messages(await retry.text()) == []
    assert webhooks.rasa.texts == ["hello"]


async def test_concurrent_retries_of_a_slow_answer_reach_nlu_once(webhooks):
    webhooks.rasa.delay = 0.3
    form = sms_form(NUMBER, "hello")
    replies = await asyncio.gather(*[webhooks.post(SMS, form) for _ in range(8)])
    bodies = [twiml_messages(await r.text()) for r in replies]
    assert all(r.status == 200 for r in replies)
    assert sorted(map(len, bodies)) == [0] * 7 + [1]
    assert len(webhooks.rasa.received) == 1


async def test_control_characters_never_reach_nlu(webhooks):
    status, messages = await webhooks.text(SMS, NUMBER, "hola\x00 clinica\x07\x1b[31m\nsi")
    assert status == 200 and messages
    assert webhooks.rasa.texts == ["hola clinica[31m\nsi"]


async def test_other_methods_are_not_errors(webhooks):
    for method in ("GET", "PUT", "DELETE"):
        reply = await webhooks.session.request(method, webhooks.base + PATH)
        assert 400 <= reply.status < 500, (method, reply.status)


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"items": 5}',
                                     b'{"items": ["x"]}', b'{"items": [{"key": "k"}]}',
                                     b'{"items": [{"key": "k", "person": "p", "text": "t", '
                                     b'"variables": [1]}]}'])
async def test_malformed_proactive_batches_are_400(webhooks, payload):
    reply = await webhooks.session.post(
        f"{webhooks.base}/webhooks/twilio_sms/proactive", data=payload,
        headers={"X-Puente-Internal": webhooks.settings.app_secret,
                 "Content-Type": "application/json"})
    assert reply.status == 400, await reply.text()


async def test_random_signed_forms_never_get_a_500(webhooks):
    """Seeded fuzz: random subsets of Twilio's fields with random values (unicode,
    control characters, huge and empty strings, odd numbers), all correctly signed."""
    rng = random.Random(19)
    alphabet = "aá ñ\x00\n\t\u200b😀€%&=+/{}\"'<>\\" + "".join(map(chr, range(0x590, 0x5a0)))

    def value() -> str:
        size = rng.choice([0, 1, 5, 40, 400, 3000])
        return "".join(rng.choice(alphabet) for _ in range(size))

    fields = ["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "Latitude",
              "Longitude", "MediaUrl0", "MediaContentType0", "ProfileName", "WaId"]
    for index in range(60):
        form = {name: value() for name in fields if rng.random() < 0.6}
        if rng.random() < 0.8:
            form["MessageSid"] = f"SMfuzz{index}{rng.random()}"
            form["From"] = rng.choice([NUMBER, "whatsapp:" + NUMBER, "", "+", value()])
        if rng.random() < 0.3:
            form["Latitude"], form["Longitude"] = rng.choice(
                [("nan", "inf"), ("91", "0"), ("4.7", "-74.07"), ("", "x")])
        channel = rng.choice([SMS, WA])
        reply = await webhooks.post(channel, form)
        assert reply.status in (200, 400, 413), (form, reply.status)
        if reply.status == 200:
            twiml_messages(await reply.text())  # well-formed TwiML
