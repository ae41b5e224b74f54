"""Abuse limits (connectors/limits.py) on production's store, Redis: a flood from one
number or from many cannot make Puente send unbounded SMS, and STOP always wins."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from connectors import gsm, keywords, texts
from connectors.limits import SENDER_TTL_SECONDS
from connectors.settings import ConfigurationError, ConnectorSettings
from tests.connectors.conftest import ROOT

SMS, WA = "twilio_sms", "twilio_whatsapp"
NUMBER = "+573001234567"
HEADERS = {"X-Puente-Internal": "test-app-secret"}


def catalog(name: str, language: str = "en") -> str:
    return gsm.to_gsm7(texts.text(name, language, ROOT / "locales", hotline="+1 555 0100"))


def limited(webhooks, **limits: int) -> None:
    """Set the limits of both channels for this test."""
    for channel in (webhooks.sms, webhooks.whatsapp):
        channel.settings = replace(channel.settings, **limits)
        channel.runtime.settings = channel.settings


async def redis_keys(webhooks) -> dict:
    """Every key of this test's namespace (without it), with its value and TTL."""
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.from_url(webhooks.settings.redis_url, decode_responses=True)
    found = {}
    async for key in client.scan_iter(match=webhooks.namespace + "*"):
        found[key[len(webhooks.namespace):]] = (await client.get(key), await client.ttl(key))
    await client.close()
    return found


async def test_a_flood_from_one_number_gets_one_notice_in_her_language_then_silence(webhooks):
    limited(webhooks, inbound_per_minute=3)
    webhooks.rasa.language = "es"
    answers = [(await webhooks.text(SMS, NUMBER, f"hola {i}"))[1] for i in range(8)]
    assert answers[:3] == [[webhooks.rasa.reply]] * 3
    assert answers[3] == [catalog("channel_slow_down", "es")]
    assert answers[4:] == [[]] * 4
    assert len(webhooks.rasa.received) == 3  # nothing over the limit reached NLU
    counted = await webhooks.sms.runtime.state.counters("inbound_limited:")
    assert sum(counted.values()) == 5


async def test_the_notice_speaks_the_language_she_writes_in_when_none_is_remembered(webhooks):
    limited(webhooks, inbound_per_minute=1)
    webhooks.rasa.language = None
    await webhooks.text(SMS, NUMBER, "bonjour")
    _, notice = await webhooks.text(SMS, NUMBER, "je cherche une clinique pour un test VIH")
    assert notice == [catalog("channel_slow_down", "fr")]


async def test_other_senders_are_not_slowed_by_one_flood(webhooks):
    limited(webhooks, inbound_per_minute=2)
    for _ in range(5):
        await webhooks.text(SMS, NUMBER, "hola")
    status, messages = await webhooks.text(SMS, "+51955551003", "hola")
    assert status == 200 and messages == [webhooks.rasa.reply]


@pytest.mark.parametrize("word", ["STOP", "unsubscribe", "BAJA", "Arrêt", "kanpe", "SAIR"])
async def test_stop_wins_over_the_rate_limit(webhooks, word):
    limited(webhooks, inbound_per_minute=2)
    rt = webhooks.sms.runtime
    person = rt.pseudonym(NUMBER)
    for _ in range(4):
        await webhooks.text(SMS, NUMBER, "hola")
    _, confirmed = await webhooks.text(SMS, NUMBER, word)
    assert await rt.is_opted_out(person)
    language = keywords.match(word, await rt.language(person)).language
    assert confirmed == [catalog("channel_stopped", language)]
    _, again = await webhooks.text(SMS, NUMBER, word)  # a repeated STOP in a flood: silent
    assert again == [] and await rt.is_opted_out(person)
    assert webhooks.rasa.texts == ["hola", "hola"]


async def test_stop_is_confirmed_even_when_the_daily_cap_is_spent(webhooks):
    limited(webhooks, daily_segments_per_sender=2)
    for _ in range(3):
        await webhooks.text(SMS, NUMBER, "hola")
    _, capped = await webhooks.text(SMS, NUMBER, "hola")
    assert capped == []
    _, confirmed = await webhooks.text(SMS, NUMBER, "STOP")
    assert confirmed == [catalog("channel_stopped")]


async def test_the_daily_cap_per_number_counts_segments(webhooks):
    limited(webhooks, daily_segments_per_sender=5)
    webhooks.rasa.reply = "x" * 200  # two segments each
    answers = [(await webhooks.text(SMS, NUMBER, "hola"))[1] for i in range(4)]
    assert [len(a) for a in answers] == [1, 1, 0, 0]
    assert len(webhooks.rasa.received) == 4  # the conversation goes on; the SMS do not
    state = webhooks.sms.runtime.state
    assert sum((await state.counters("outbound_capped:")).values()) == 2
    assert sum((await state.counters("outbound_capped_segments:")).values()) == 4
    assert sum((await state.counters("sms_segments:")).values()) == 2  # messages sent


async def test_the_daily_total_caps_a_flood_from_many_numbers(webhooks, caplog):
    caplog.set_level(logging.INFO)
    limited(webhooks, daily_segments_total=6)
    numbers = [f"+5730012{n:05d}" for n in range(10)]
    answers = await asyncio.gather(*[webhooks.text(SMS, n, "hola") for n in numbers])
    assert sorted(len(messages) for _, messages in answers) == [0] * 4 + [1] * 6
    keys = await redis_keys(webhooks)
    rt = webhooks.sms.runtime
    pseudonyms = [rt.pseudonym(n) for n in numbers]
    for key, (value, ttl) in keys.items():
        assert not any(n in key or n.lstrip("+") in key for n in numbers), key
        if any(p in key for p in pseudonyms):  # per-sender state: short-lived, or the
            assert ttl <= SENDER_TTL_SECONDS or key.split(":")[0] in {"lang", "lastin"}, key
    totals = {k: v for k, (v, _) in keys.items() if k.startswith(("segs-total:", "counter:"))}
    assert any(k.startswith("segs-total:") and v == "6" for k, v in totals.items())
    assert not any(p in k for p in pseudonyms for k in totals)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("connectors"))
    assert "daily cap" in logged
    assert not any(n in logged or n.lstrip("+") in logged or p in logged
                   for n, p in zip(numbers, pseudonyms))


async def test_per_sender_counters_expire_within_two_days(webhooks):
    limited(webhooks, inbound_per_minute=5)
    await webhooks.text(SMS, NUMBER, "hola")
    person = webhooks.sms.runtime.pseudonym(NUMBER)
    counters = {k: ttl for k, (_, ttl) in (await redis_keys(webhooks)).items()
                if k.startswith(("rate:", "segs:"))}
    assert set(counters) == {f"rate:{person}", next(k for k in counters if k.startswith("segs:"))}
    assert all(0 < ttl <= SENDER_TTL_SECONDS for ttl in counters.values())


async def test_proactive_sends_obey_the_caps(webhooks, fake_twilio):
    limited(webhooks, daily_segments_per_sender=1)
    rt = webhooks.sms.runtime
    person = rt.pseudonym(NUMBER)
    await rt.vault.store(person, NUMBER)

    async def send(key: str) -> str:
        item = {"key": key, "person": person, "text": "Time for your routine. Reply OK.",
                "kind": "utter_dose_reminder", "language": "en", "variables": {}}
        reply = await webhooks.session.post(f"{webhooks.base}/webhooks/{SMS}/proactive",
                                            json={"items": [item]}, headers=HEADERS)
        return (await reply.json())["results"][key]

    assert await send("plan-1:day-1:dose") == "sent"
    assert await send("plan-1:day-1:checkin") == "capped"
    assert len(fake_twilio.messages) == 1
    limited(webhooks, daily_segments_per_sender=2)  # a capped key was not spent
    assert await send("plan-1:day-1:checkin") == "sent"


async def test_whatsapp_messages_count_one_each(webhooks):
    limited(webhooks, daily_segments_per_sender=2)
    webhooks.rasa.reply = "x" * 500
    answers = [(await webhooks.text(WA, "whatsapp:" + NUMBER, "hola"))[1] for _ in range(3)]
    assert [len(a) for a in answers] == [1, 1, 0]


async def test_delete_my_data_leaves_no_key_or_value_naming_her(webhooks):
    limited(webhooks, inbound_per_minute=5)
    rt = webhooks.sms.runtime
    person = rt.pseudonym(NUMBER)
    webhooks.rasa.reply = " ".join(["texto"] * 200)  # pages kept for MORE
    webhooks.rasa.language = "es"
    await webhooks.text(SMS, NUMBER, "hola")
    await rt.vault.store(person, NUMBER)
    await rt.opt_out(person)
    await rt.opt_in(person)
    assert any(person in key for key in await redis_keys(webhooks))
    webhooks.rasa.reply, webhooks.rasa.kind = "Listo, borré tus datos.", "utter_deleted"
    _, messages = await webhooks.text(SMS, NUMBER, "sí, borrar")
    assert messages == ["Listo, borré tus datos."]
    for key, (value, _) in (await redis_keys(webhooks)).items():
        for trace in (person, NUMBER, NUMBER.lstrip("+"), "3001234567"):
            assert trace not in key and trace not in (value or ""), (key, value)


def test_limits_are_read_from_the_environment_and_checked():
    settings = ConnectorSettings.from_env({"PUENTE_INBOUND_PER_MINUTE": "4",
                                           "PUENTE_DAILY_SEGMENTS_PER_SENDER": "30",
                                           "PUENTE_DAILY_SEGMENTS_TOTAL": "0"})
    assert (settings.inbound_per_minute, settings.daily_segments_per_sender,
            settings.daily_segments_total) == (4, 30, 0)
    defaults = ConnectorSettings.from_env({})
    assert (defaults.inbound_per_minute, defaults.daily_segments_per_sender,
            defaults.daily_segments_total) == (10, 100, 10000)
    for bad in ("-1", "ten", "1.5"):
        with pytest.raises(ConfigurationError, match="PUENTE_INBOUND_PER_MINUTE"):
            ConnectorSettings.from_env({"PUENTE_INBOUND_PER_MINUTE": bad})


async def test_no_limit_when_set_to_zero(webhooks):
    limited(webhooks, inbound_per_minute=0, daily_segments_per_sender=0, daily_segments_total=0)
    for _ in range(15):
        _, messages = await webhooks.text(SMS, NUMBER, "hola")
        assert messages == [webhooks.rasa.reply]
