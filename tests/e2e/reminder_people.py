"""People who opted in to reminders, made as the conversation would leave them, for
the end-to-end tests and the reminders benchmark: a plan in the app's database and a
vault entry in the connectors' store, and the clock moved by hand (`make_due`)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, update
from sqlalchemy.orm import sessionmaker

from service_directory.reminders.models import ReminderPlan

UTC = timezone.utc


def sessions(stack) -> sessionmaker:
    return sessionmaker(bind=create_engine(stack.env["DATABASE_URL"]), expire_on_commit=False)


def make_due(stack, person: str | None = None) -> None:
    """It is 8 pm in Santiago: her plan's next occurrence is due now."""
    with sessions(stack)() as session:
        query = update(ReminderPlan).values(next_due_at=datetime.now(UTC) - timedelta(seconds=5))
        if person is not None:
            query = query.where(ReminderPlan.pseudonym == person)
        session.execute(query.where(ReminderPlan.status == "active"))
        session.commit()


def pseudonym_of(stack, address: str) -> str:
    from connectors.privacy import pseudonym

    return pseudonym(address, stack.env.get("APP_SECRET", "dev-only-secret-change-me"))


def seed_opted_in(stack, count: int, prefix: str) -> list[str]:
    """`count` people who opted in: a plan each, due now, and a vault entry each, as
    the conversation would have left them; returns their numbers."""
    from connectors.settings import ConnectorSettings
    from connectors.state import open_state
    from connectors.vault import ContactVault

    numbers = [f"{prefix}{n:06d}" for n in range(count)]
    now = datetime.now(UTC)
    with sessions(stack)() as session:
        session.add_all(ReminderPlan(
            pseudonym=pseudonym_of(stack, number), channel="twilio_sms", language="es",
            country="cl", timezone="America/Santiago", local_time="20:00", days="0123456",
            mode="daily", status="active", next_due_at=now) for number in numbers)
        session.commit()

    async def store() -> None:
        settings = ConnectorSettings.from_env(stack.env)
        state = open_state(settings.redis_url, settings.state_path)
        vault = ContactVault(settings.vault_key_bytes(), state)
        for number in numbers:
            await vault.store(pseudonym_of(stack, number), number)
        await state.close()

    asyncio.run(store())
    return numbers


def occurrence_keys(messages: list[dict]) -> list[str]:
    from urllib.parse import parse_qs, urlparse

    return [parse_qs(urlparse(m["status_callback"]).query)["occurrence"][0] for m in messages]
