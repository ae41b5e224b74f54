"""Two Rasa servers behind the sender-sticky balancer (`RASA_PROCESSES=2`, the Redis
tracker and lock stores): five people in five languages hold whole conversations at
the same time through it, each answered as with one server."""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

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
