"""Statistics from real conversations: texts over the signed SMS webhook leave anonymous
events in the app's database (bot/stats_events.py → POST /v1/events, and the app's own:
searches, answers without content, discrimination reports; the reminders' kinds are
checked in test_reminders.py), and nothing in them can point back to the person."""
from __future__ import annotations

import time

from connectors.privacy import pseudonym

from .sms_phone import SmsPhone
from .stack import stats_rows

NUMBER = "+573001119901"


def test_a_conversation_is_counted_and_no_event_points_to_her(stack):
    phone = SmsPhone(stack, NUMBER)
    phone.send("hola")
    phone.send("me violaron anoche en Cúcuta, que hago")
    phone.send("donde me hago la prueba de vih en Cúcuta")
    phone.send("asdkjh qwpoeiru zxmcnv")
    phone.send("que derechos tengo en Argentina?")  # no content for the country
    phone.send("quiero hablar con una persona")
    phone.send("quiero denunciar una clinica que me discrimino")
    # a clinic's name with its city is the name asked for, not a new search
    assert "propias palabras" in " ".join(phone.send("Clinica San Jose de Cucuta"))
    assert "Gracias" in " ".join(phone.send("no me quisieron atender por ser venezolana"))
    wanted = {"conversation_started", "topic", "fallback", "urgent_answer", "handoff",
              "sms_segments", "search", "no_content", "discrimination_report"}
    kinds: set[str] = set()
    for _ in range(40):  # the broker posts every 2 s, in the background
        rows = stats_rows(stack)
        kinds = {row["kind"] for row in rows}
        if wanted <= kinds:
            break
        time.sleep(0.5)
    assert wanted <= kinds, wanted - kinds
    # the stack is shared with other tests' phones: hers is one of the conversations
    started = {(row["channel"], row["language"]) for row in rows
               if row["kind"] == "conversation_started"}
    assert ("sms", "es") in started, started
    secret = pseudonym(NUMBER, stack.env.get("APP_SECRET", "dev-only-secret-change-me"))
    dumped = repr(rows)
    for personal in (NUMBER, NUMBER[1:], secret, "violaron", "asdkjh", "Cúcuta", "Cucuta",
                     "San Jose", "venezolana"):
        assert personal not in dumped
    assert all(row["occurred_hour"] is not None for row in rows)
