"""Two Rasa servers behind HAProxy, sticky by sender (`RASA_PROCESSES=2`, the Redis
tracker and lock stores): five people in five languages hold whole conversations at
the same time through it, each answered as with one server."""
from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from connectors.privacy import pseudonym

from .sms_phone import SmsPhone, gsm
from .stack import running_stack
from .test_conversations_sms import NO_PAPERS_HIV_TEST, _t, expected_services

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, fake_twilio, redis_url):
    env = {"TWILIO_API_BASE": fake_twilio.base_url, "REDIS_URL": redis_url,
           "RASA_PROCESSES": "2"}
    with running_stack(tmp_path_factory.mktemp("two-servers"), extra_env=env) as running:
        yield running


def _fresh(number: str) -> str:
    """The same country's number, new digits: Redis keeps conversations across runs."""
    return number[:-4] + f"{random.randrange(10_000):04d}"


def test_conversations_in_five_languages_at_once_through_two_servers(two_servers):
    def converse(case):
        language, text, place, number = case
        phone = SmsPhone(two_servers, _fresh(number))
        return phone.ask(text, language), phone.ask(place, language)

    with ThreadPoolExecutor(len(NO_PAPERS_HIV_TEST)) as pool:
        answers = list(pool.map(converse, NO_PAPERS_HIV_TEST))
    for (language, _text, place, _number), (first, answer) in zip(NO_PAPERS_HIV_TEST, answers):
        assert _t(language, "Where are you? Write your city or neighbourhood.") in first
        services = expected_services(two_servers, place)
        assert services
        for service in services:
            assert gsm(service["name"]) in answer, (language, answer)


def test_delete_my_data_erases_the_conversation_from_redis(two_servers, redis_url):
    """Rasa's own Redis store merged the erasure into the old conversation and kept it."""
    number = _fresh("+5595999990022")
    phone = SmsPhone(two_servers, number)
    phone.ask("oi, preciso de ajuda", "pt")
    phone.ask("apague meus dados", "pt")
    assert _t("pt", "Done. I deleted our conversation and your data. Write any time to "
                    "start again.") in phone.ask("sim", "pt")
    person = pseudonym(number, two_servers.env.get("APP_SECRET", "dev-only-secret-change-me"))
    key = f"puente:tracker:{person}"
    stored = redis.Redis.from_url(redis_url)
    for _ in range(30):
        if not stored.exists(key):
            break
        time.sleep(1)
    assert not stored.exists(key)
    events = httpx.get(f"{two_servers.rasa_url}/conversations/{person}/tracker",
                       timeout=10).json().get("events") or []
    assert not any(e.get("event") == "user" for e in events)
    assert _t("pt", "Where are you? Write your city or neighbourhood.") in phone.ask(
        NO_PAPERS_HIV_TEST[2][1], "pt")  # she can start again
