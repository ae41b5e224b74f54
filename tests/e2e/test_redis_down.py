"""Production's stores in Redis, and Redis dies: the person is still answered (the
apology with the hotline, in her language), and when Redis is back, so is Puente."""
from __future__ import annotations

import shutil
import subprocess
import time

import httpx
import pytest
import redis

from service_directory.i18n import gettext_for

from .sms_phone import SMS_PATH, SmsPhone, gsm
from .stack import free_port, running_stack

pytestmark = pytest.mark.e2e
APOLOGY = ("Sorry, Puente cannot answer right now. Please try again later. If you need "
           "help now, call {hotline}.")


class PrivateRedis:
    """A redis-server of this test's own, to stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def private_redis(redis_url):  # redis_url: the project's script installs redis-server
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack_on_private_redis(tmp_path_factory, fake_twilio, private_redis):
    env = {"TWILIO_API_BASE": fake_twilio.base_url, "RASA_PROCESSES": "1",
           "REDIS_URL": f"redis://127.0.0.1:{private_redis.port}/0"}
    with running_stack(tmp_path_factory.mktemp("private-redis"), extra_env=env) as running:
        yield running


def test_a_dead_redis_gets_the_apology_then_service_resumes(stack_on_private_redis,
                                                             private_redis):
    phone = SmsPhone(stack_on_private_redis, "+573001117788")
    assert gsm(gettext_for("es", "Where are you? Write your city or neighbourhood.")) in \
        phone.ask("necesito la prueba de vih, no tengo papeles", "es")
    private_redis.stop()
    try:
        answer = " ".join(phone.send("necesito la prueba de vih, no tengo papeles"))
        assert gsm(gettext_for("es", APOLOGY).split("{hotline}")[0]) in answer
        forged = httpx.post(stack_on_private_redis.rasa_url + SMS_PATH, timeout=30,
                            data={"MessageSid": "SM1", "From": "+573001117788", "Body": "hola"},
                            headers={"X-Twilio-Signature": "forged"})
        assert forged.status_code == 403  # refused as ever, though it cannot be counted
    finally:
        private_redis.start()
    assert gsm(gettext_for("es", "Where are you? Write your city or neighbourhood.")) in \
        phone.ask("necesito la prueba de vih, no tengo papeles", "es")
