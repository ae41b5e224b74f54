"""Statistics from real conversations: texts over the signed SMS webhook leave anonymous
events in the app's database (bot/stats_events.py → POST /v1/events, and the app's own
search events), and nothing in them can point back to the person."""
from __future__ import annotations

import time

import sqlalchemy as sa

from connectors.privacy import pseudonym

from .sms_phone import SmsPhone

NUMBER = "+573001119901"


def _events(stack) -> list[dict]:
    engine = sa.create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(sa.text("SELECT * FROM stats_event"))]
    finally:
        engine.dispose()


def test_a_conversation_is_counted_and_no_event_points_to_her(stack):
    phone = SmsPhone(stack, NUMBER)
    phone.send("hola")
    phone.send("me violaron anoche en Cúcuta, que hago")
    phone.send("donde me hago la prueba de vih en Cúcuta")
    phone.send("asdkjh qwpoeiru zxmcnv")
    kinds: set[str] = set()
    for _ in range(40):  # the broker posts every 2 s, in the background
        rows = _events(stack)
        kinds = {row["kind"] for row in rows}
        if {"conversation_started", "topic", "urgent_answer", "sms_segments", "search"} <= kinds:
            break
        time.sleep(0.5)
    assert {"conversation_started", "topic", "urgent_answer", "sms_segments", "search"} <= kinds
    # the stack is shared with other tests' phones: hers is one of the conversations
    started = {(row["channel"], row["language"]) for row in rows
               if row["kind"] == "conversation_started"}
    assert ("sms", "es") in started, started
    secret = pseudonym(NUMBER, stack.env.get("APP_SECRET", "dev-only-secret-change-me"))
    dumped = repr(rows)
    for personal in (NUMBER, NUMBER[1:], secret, "violaron", "asdkjh", "Cúcuta"):
        assert personal not in dumped
    assert all(row["occurred_hour"] is not None for row in rows)
