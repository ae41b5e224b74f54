"""Whole webhooks through a real Rasa server with Puente's model and our channels."""
import asyncio
import logging
from dataclasses import replace

import pytest

from connectors import gsm, keywords, texts
from connectors.runtime import PAGES
from tests.connectors.conftest import ROOT, sms_form, twiml_messages

SMS, WA = "twilio_sms", "twilio_whatsapp"
NUMBER = "+573001234567"
SPANISH = ("¡Hola! Soy Puente. ¿Dónde estás? Te digo tus derechos de salud y dónde te "
           "atienden sin discriminación. También: niños, año, pingüino. Es gratis y privado 🤝.")


def catalog(name, language):
    return texts.text(name, language, ROOT / "locales", hotline="+1 555 0100")


async def test_concurrent_duplicate_message_sid_is_answered_exactly_once(server, nlg):
    nlg.delay = 0.5
    form = sms_form(NUMBER, "hello")
    replies = await asyncio.gather(*[server.post(SMS, form) for _ in range(6)])
    bodies = [await r.text() for r in replies]
    assert all(r.status == 200 for r in replies)
    assert sum("<Message>" in b for b in bodies) == 1


async def test_spanish_with_accents_arrives_as_gsm7_within_three_segments(server, nlg):
    nlg.texts["utter_welcome"] = SPANISH
    nlg.language = "es"
    status, messages = await server.text(SMS, NUMBER, "hola")
    assert status == 200 and messages
    first = messages[0]
    assert gsm.encoding(first) == gsm.GSM7
    assert gsm.segment_count(first) <= 3
    assert first.startswith("¡Hola! Soy Puente. ¿Donde estas?") and "niños" in first
    assert "pingüino" in first and "🤝" not in first
    counted = await server.sms.runtime.state.counters("sms_segments:")
    assert sum(counted.values()) == len(messages)
    assert any(key.endswith(f":{gsm.segment_count(first)}") for key in counted)


async def test_long_answer_is_paged_and_more_sends_the_rest(server, nlg):
    nlg.texts["utter_welcome"] = " ".join(["información"] * 150)
    status, messages = await server.text(SMS, NUMBER, "hello")
    hint = gsm.to_gsm7(catalog("channel_more_hint", "en"))
    assert len(messages) == 1 and messages[0].endswith(hint)
    assert gsm.segment_count(messages[0]) <= 3
    more_messages = []
    for _ in range(5):
        _, page = await server.text(SMS, NUMBER, "MORE")
        more_messages += page
        if not page[-1].endswith(hint):
            break
    assert all(gsm.segment_count(m) <= 3 for m in more_messages)
    words = " ".join(m.replace(hint, "") for m in messages + more_messages).split()
    assert words.count("informacion") == 150
    person = server.sms.runtime.pseudonym(NUMBER)
    assert await server.sms.runtime.state.get(PAGES + person) is None


@pytest.mark.parametrize("language", keywords.LANGUAGE_ORDER)
async def test_stop_and_start_work_in_every_language(server, language):
    rt = server.sms.runtime
    person = rt.pseudonym(NUMBER)
    stop = keywords.every_keyword(keywords.STOP)[language]
    start = keywords.every_keyword(keywords.START)[language]
    for word in stop:
        _, messages = await server.text(SMS, NUMBER, word.lower())
        assert await rt.is_opted_out(person)
        expected_language = keywords.match(word, await rt.language(person)).language
        assert messages == [gsm.to_gsm7(catalog("channel_stopped", expected_language))]
        _, messages = await server.text(SMS, NUMBER, start[0])
        assert not await rt.is_opted_out(person)
        expected_language = keywords.match(start[0], await rt.language(person)).language
        assert messages == [gsm.to_gsm7(catalog("channel_started", expected_language))]


async def test_stop_is_answered_in_the_persons_language_and_help_names_the_hotline(server):
    _, messages = await server.text(SMS, NUMBER, "Arrêt")
    assert messages == [gsm.to_gsm7(catalog("channel_stopped", "fr"))]
    _, messages = await server.text(SMS, NUMBER, "aide")
    assert "+1 555 0100" in messages[0]


async def test_whatsapp_location_pin_reaches_rasa_as_inform_location(server, agent):
    form = sms_form("whatsapp:" + NUMBER, "", Latitude="4.7110", Longitude="-74.0721")
    reply = await server.post(WA, form)
    assert reply.status == 200 and twiml_messages(await reply.text())
    person = server.whatsapp.runtime.pseudonym("whatsapp:" + NUMBER)
    tracker = await agent.tracker_store.retrieve(person)
    latest = tracker.latest_message
    assert latest.text == '/inform_location{"latitude": 4.711, "longitude": -74.0721}'
    assert latest.intent["name"] == "inform_location"
    # The coordinates travel in the metadata, which action_handle_location reads (the
    # domain declares no latitude/longitude entities, so Rasa drops those).
    assert latest.metadata["latitude"] == 4.711 and latest.metadata["longitude"] == -74.0721
    assert latest.metadata["country_hint"] == "co"
    assert NUMBER not in str(tracker.current_state())


async def test_whatsapp_media_without_text_gets_a_text_only_answer(server):
    form = sms_form("whatsapp:" + NUMBER, "", NumMedia="1", MediaContentType0="image/jpeg")
    reply = await server.post(WA, form)
    assert twiml_messages(await reply.text()) == [catalog("channel_media_only", "en")]


async def test_action_server_down_still_gets_an_apology_with_the_hotline(server, agent):
    # The action server is down (nothing listens on its port), so every custom action
    # fails. Which texts reach a custom action depends on the model, so the turn names
    # the intent directly (people's texts cannot: the channel strips a leading "/").
    from rasa.core.channels.channel import UserMessage
    from connectors.twilio_sms import TwilioSMSTurnOutput
    from tests.connectors.conftest import free_port, use_action_server

    use_action_server(agent, f"http://127.0.0.1:{free_port()}/webhook")

    custom_actions = [a for a in agent.domain.user_actions if a.startswith("action_")]
    assert custom_actions
    output = TwilioSMSTurnOutput()
    person = server.sms.runtime.pseudonym(NUMBER)
    reply = await server.sms._run_turn(agent.handle_message, UserMessage(
        "/choose_language", output, person, input_channel="twilio_sms"), output)
    tracker = await agent.tracker_store.retrieve(person)
    assert "action_choose_language" in [e.action_name for e in tracker.events
                                        if hasattr(e, "action_name")]
    assert reply.texts == [catalog("channel_apology", "en")]
    assert "+1 555 0100" in reply.texts[0]
    assert (await server.sms._finish(person, reply.texts, "en")) == [
        gsm.to_gsm7(catalog("channel_apology", "en"))]


async def test_nlg_failure_gets_the_apology_in_the_remembered_language(server, nlg):
    nlg.language = "es"
    await server.text(SMS, NUMBER, "hola")
    nlg.fail = True
    _, messages = await server.text(SMS, NUMBER, "hola")
    assert messages == [gsm.to_gsm7(catalog("channel_apology", "es"))]


async def test_slow_answer_is_acknowledged_then_sent_through_the_rest_api(server, nlg,
                                                                          fake_twilio):
    server.sms.settings = replace(server.sms.settings, reply_deadline_seconds=0.2)
    nlg.delay = 0.5
    status, messages = await server.text(SMS, NUMBER, "hello")
    assert status == 200 and messages == []
    sent = await asyncio.get_running_loop().run_in_executor(None, fake_twilio.wait_for, 1, 20)
    assert sent[0]["to"] == NUMBER and sent[0]["from"] == "+15005550006"
    assert sent[0]["status_callback"].endswith("/webhooks/twilio_sms/status")


async def test_a_slow_answer_waits_for_a_restarting_store_and_is_still_sent(
        server, nlg, fake_twilio, monkeypatch):
    """Redis restarting while a late answer is finished (caps, pages): it is sent when
    the store is back, not lost (the webhook that could have carried it has gone)."""
    server.sms.settings = replace(server.sms.settings, reply_deadline_seconds=0.2)
    nlg.delay = 0.5
    outbound, failures = server.sms.limits.outbound, []

    async def store_restarting(*args, **kwargs):
        if len(failures) < 2:
            failures.append(1)
            raise ConnectionError("Redis is restarting")
        return await outbound(*args, **kwargs)

    monkeypatch.setattr(server.sms.limits, "outbound", store_restarting)
    status, messages = await server.text(SMS, NUMBER, "hello")
    assert status == 200 and messages == []
    sent = await asyncio.get_running_loop().run_in_executor(None, fake_twilio.wait_for, 1, 20)
    assert len(failures) == 2 and sent[0]["to"] == NUMBER
    assert sent[0]["body"] != gsm.to_gsm7(catalog("channel_apology", "en"))


async def test_slow_send_that_hits_21610_marks_the_person_opted_out(server, nlg, fake_twilio):
    server.sms.settings = replace(server.sms.settings, reply_deadline_seconds=0.2)
    nlg.delay = 0.5
    fake_twilio.opt_out(NUMBER)
    await server.text(SMS, NUMBER, "hello")
    rt = server.sms.runtime
    for _ in range(100):
        if await rt.is_opted_out(rt.pseudonym(NUMBER)):
            break
        await asyncio.sleep(0.1)
    assert await rt.is_opted_out(rt.pseudonym(NUMBER))
    assert await rt.state.counters("send_failed:")


@pytest.mark.parametrize("body", ["x " * 2500, "", "😀🙏🎉"])
async def test_long_empty_and_emoji_only_bodies_get_a_short_gsm7_answer(server, body):
    status, messages = await server.text(SMS, NUMBER, body)
    assert status == 200 and messages
    assert all(gsm.is_gsm7(m) and gsm.segment_count(m) <= 3 for m in messages)
    if body == "":
        assert messages == [gsm.to_gsm7(catalog("channel_empty", "en"))]


async def test_leading_slash_cannot_trigger_an_intent(server, agent):
    await server.text(SMS, NUMBER, '/EXTERNAL_dose_reminder{"x": 1}')
    tracker = await agent.tracker_store.retrieve(server.sms.runtime.pseudonym(NUMBER))
    assert tracker.latest_message.intent["name"] != "EXTERNAL_dose_reminder"


async def test_status_callback_records_failures_and_21610_opts_out(server):
    form = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "21610",
            "To": NUMBER}
    assert (await server.post(SMS, form, signature=None, path_suffix="status")).status == 403
    assert (await server.post(SMS, form, path_suffix="status")).status == 204
    rt = server.sms.runtime
    assert await rt.is_opted_out(rt.pseudonym(NUMBER))
    assert list((await rt.state.counters("delivery_failed:")).values()) == [1]


async def test_logs_hold_no_number_and_no_body(server, nlg, caplog):
    caplog.set_level(logging.DEBUG)
    nlg.fail = True
    await server.text(SMS, NUMBER, "secret words about my status")
    await server.text(SMS, NUMBER, "STOP")
    connector_logs = "\n".join(r.getMessage() for r in caplog.records
                               if r.name.startswith("connectors"))
    assert connector_logs  # something was logged
    assert "3001234567" not in connector_logs and "secret words" not in connector_logs


async def test_proactive_messages_need_consent_and_respect_the_24_hour_window(server,
                                                                              fake_twilio):
    sms, wa = server.sms, server.whatsapp
    person = sms.runtime.pseudonym(NUMBER)
    out = sms.get_output_channel()
    assert out.name() == "twilio_sms"
    await out.send_response(person, {"text": "Recordatorio", "custom": {"language": "es"}})
    assert fake_twilio.messages == []  # not opted in: no number in the vault
    await sms.runtime.vault.store(person, NUMBER)
    await out.send_response(person, {"text": "Recordatorio"})
    assert [m["body"] for m in fake_twilio.messages] == ["Recordatorio"]
    await sms.runtime.opt_out(person)
    await out.send_response(person, {"text": "Recordatorio"})
    assert len(fake_twilio.messages) == 1  # opted out: nothing more
    assert await sms.runtime.vault.get(person) is None

    wa_person = wa.runtime.pseudonym("whatsapp:" + NUMBER)
    await wa.runtime.vault.store(wa_person, "whatsapp:" + NUMBER)
    wa_out = wa.get_output_channel()
    await wa_out.send_response(wa_person, {"text": "x", "utter_action": "utter_dose_reminder",
                                           "custom": {"language": "es",
                                                      "template_variables": {"time": "8:00"}}})
    template = fake_twilio.messages[-1]
    assert template["content_sid"].startswith("HX") and template["body"] is None
    assert template["content_variables"] == {"1": "8:00"}
    await server.text(WA, "whatsapp:" + NUMBER, "hola")  # opens the 24-hour window
    await wa_out.send_response(wa_person, {"text": "Hora de tu cita"})
    assert fake_twilio.messages[-1]["body"] == "Hora de tu cita"


@pytest.mark.parametrize("body, language", [("necesito ayuda con mis papeles", "es"),
                                            ("mwen bezwen èd pou tès la", "ht"), ("ok", "en")])
async def test_a_dead_state_store_gets_the_apology_not_silence(server, monkeypatch, body,
                                                               language):
    async def dead(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(server.sms.runtime.state, "claim", dead)
    monkeypatch.setattr(server.sms.runtime.state, "incr", dead, raising=False)
    reply = await server.post(SMS, sms_form(NUMBER, body))
    assert reply.status == 200
    assert twiml_messages(await reply.text()) == [gsm.to_gsm7(catalog("channel_apology",
                                                                      language))]
    forged = await server.post(SMS, sms_form(NUMBER, body), signature="forged")
    assert forged.status == 403
