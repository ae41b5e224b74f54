"""The connectors' proactive-send endpoint, which the reminder worker calls: consent,
exactly once per key, the conversation told, delivery reports relayed, and the vault
opened and closed by the conversation."""
from __future__ import annotations

import pytest

from connectors.channel import Reply
from tests.connectors.conftest import sms_form

SMS, WA = "twilio_sms", "twilio_whatsapp"
NUMBER = "+56912345678"
HEADERS = {"X-Puente-Internal": "test-app-secret"}


def item(person: str, key: str = "plan-1:2026-12-05:dose", kind: str = "utter_dose_reminder",
         text: str = "Hi, it is time for your routine. Reply OK when done.") -> dict:
    return {"key": key, "person": person, "text": text, "kind": kind, "language": "en",
            "variables": {"time": "20:00"}}


async def post_items(server, channel: str, items: list, headers=HEADERS):
    reply = await server.session.post(f"{server.base}/webhooks/{channel}/proactive",
                                      json={"items": items}, headers=headers)
    return reply.status, await reply.json()


async def test_refuses_callers_without_the_internal_secret_and_bad_batches(server, fake_twilio):
    person = server.sms.runtime.pseudonym(NUMBER)
    assert (await post_items(server, SMS, [item(person)], headers={}))[0] == 403
    wrong = {"X-Puente-Internal": "guess"}
    assert (await post_items(server, SMS, [item(person)], headers=wrong))[0] == 403
    status, body = await post_items(server, SMS, [{"person": person}])
    assert status == 400 and "bad items" in body["error"]
    assert fake_twilio.messages == []


async def test_sends_once_per_key_only_with_consent(server, fake_twilio):
    rt = server.sms.runtime
    person = rt.pseudonym(NUMBER)
    _, body = await post_items(server, SMS, [item(person)])
    assert body["results"] == {"plan-1:2026-12-05:dose": "no_contact"}

    await rt.vault.store(person, NUMBER)
    _, body = await post_items(server, SMS, [item(person)])
    assert body["results"] == {"plan-1:2026-12-05:dose": "sent"}
    sent = fake_twilio.messages
    assert [m["to"] for m in sent] == [NUMBER]
    assert sent[0]["body"].startswith("Hi, it is time for your routine")
    assert "occurrence=plan-1%3A2026-12-05%3Adose" in sent[0]["status_callback"]

    _, body = await post_items(server, SMS, [item(person)])  # a worker's retry
    assert body["results"] == {"plan-1:2026-12-05:dose": "duplicate"}
    assert len(fake_twilio.messages) == 1

    await rt.opt_out(person)
    _, body = await post_items(server, SMS, [item(person, key="plan-1:2026-12-06:dose")])
    assert body["results"] == {"plan-1:2026-12-06:dose": "opted_out"}
    assert len(fake_twilio.messages) == 1


def reminders_in(tracker) -> list:
    """(text, menu set with it) of each reminder written into the conversation."""
    from rasa.shared.core.events import BotUttered, SlotSet

    found, events = [], list(tracker.events)
    for index, event in enumerate(events):
        if isinstance(event, BotUttered) and (event.metadata or {}).get(
                "utter_action", "").startswith(("utter_dose", "utter_checkin")):
            menu = next((e.value for e in events[index + 1:index + 2]
                         if isinstance(e, SlotSet) and e.key == "menu"), None)
            found.append((event.text, menu))
    return found


async def test_her_next_message_writes_the_reminders_into_her_conversation(server, fake_twilio,
                                                                           agent):
    """The send does not touch the conversation (awaited.py): her next message does,
    before its turn, in the order and at the time they were sent."""
    from connectors.awaited import AWAITED

    rt = server.sms.runtime
    person = rt.pseudonym(NUMBER)
    await rt.vault.store(person, NUMBER)
    await post_items(server, SMS, [item(person)])
    await post_items(server, SMS, [item(person, key="plan-1:2026-12-05:checkin",
                                        kind="utter_checkin", text="Hi, how are you? 1 / 2")])
    assert len(fake_twilio.messages) == 2
    tracker = await agent.tracker_store.retrieve(person)
    assert tracker is None or reminders_in(tracker) == []
    assert len(await rt.state.get_many([AWAITED + person])) == 1

    status, _ = await server.text(SMS, NUMBER, "ok")
    assert status == 200
    tracker = await agent.tracker_store.retrieve(person)
    assert reminders_in(tracker) == [
        ("Hi, it is time for your routine. Reply OK when done.", "dose_reminder"),
        ("Hi, how are you? 1 / 2", "checkin")]
    assert tracker.latest_message.text == "ok"  # her answer came after them
    assert await rt.state.take(AWAITED + person) == []  # written once

    await server.text(SMS, NUMBER, "hello")
    tracker = await agent.tracker_store.retrieve(person)
    assert len(reminders_in(tracker)) == 2


async def test_an_sms_reminder_is_one_gsm7_segment_even_in_her_own_words(server, fake_twilio):
    from connectors import gsm

    rt = server.sms.runtime
    person = rt.pseudonym(NUMBER)
    await rt.vault.store(person, NUMBER)
    words = "Lè kafe ☕ ak manman m. Reponn OK lè w fini."
    await post_items(server, SMS, [item(person, text=words)])
    body = fake_twilio.messages[-1]["body"]
    assert gsm.encoding(body) == gsm.GSM7 and gsm.segment_count(body) == 1


async def test_whatsapp_outside_the_window_goes_as_the_approved_template(server, fake_twilio):
    rt = server.whatsapp.runtime
    address = "whatsapp:" + NUMBER
    person = rt.pseudonym(address)
    await rt.vault.store(person, address)
    _, body = await post_items(server, WA, [item(person)])
    assert body["results"] == {"plan-1:2026-12-05:dose": "sent"}
    message = fake_twilio.messages[-1]
    assert message["content_sid"].startswith("HX") and message["body"] is None
    assert message["content_variables"] == {"1": "20:00"}


async def test_a_reminders_delivery_report_is_relayed_to_the_app(server, monkeypatch):
    told = []

    async def tell_app(path, payload):
        told.append((path, payload))
        return True

    monkeypatch.setattr(server.sms.runtime, "tell_app", tell_app)
    form = {"MessageSid": "SM1", "MessageStatus": "delivered", "To": NUMBER}
    path = "/webhooks/twilio_sms/status?occurrence=plan-1%3A2026-12-05%3Adose"
    signature = server.sign(path, form)
    from yarl import URL

    # exactly the URL Twilio calls back (the key stays percent-encoded, as signed)
    reply = await server.session.post(URL(server.base + path, encoded=True), data=form,
                                      headers={"X-Twilio-Signature": signature})
    assert reply.status == 204
    assert told == [("/v1/reminders/status", {"key": "plan-1:2026-12-05:dose",
                                              "status": "delivered", "error_code": None})]


async def test_stop_ends_the_reminder_plan_in_the_app(server, monkeypatch):
    told = []

    async def tell_app(path, payload):
        told.append(path)
        return True

    monkeypatch.setattr(server.sms.runtime, "tell_app", tell_app)
    status, _ = await server.text(SMS, NUMBER, "STOP")
    person = server.sms.runtime.pseudonym(NUMBER)
    assert status == 200 and told == [f"/v1/reminders/{person}/stop"]


@pytest.mark.parametrize("kinds, kept", [(["utter_reminder_set"], True),
                                         (["utter_reminder_stopped"], False),
                                         (["utter_deleted"], False)])
async def test_the_vault_opens_on_opt_in_and_closes_on_stop(server, kinds, kept):
    rt = server.sms.runtime
    person = rt.pseudonym(NUMBER)
    if not kept:
        await rt.vault.store(person, NUMBER)
    reply = Reply()
    reply.kinds = kinds
    await server.sms._keep_or_forget_contact(person, NUMBER, reply)
    assert (await rt.vault.get(person) == NUMBER) is kept
