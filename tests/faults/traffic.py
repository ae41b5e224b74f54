"""A steady load of signed SMS from several phones, sent the way Twilio sends them.

Each phone holds a conversation (ask for an HIV test, name a place, thank) over and
over, one message at a time, as a person does. Twilio's side is imitated where it
matters for faults: a webhook that gets no answer (connection refused or cut, a 5xx,
no answer within Twilio's 15 s) is sent again with the same `MessageSid`, signature
and `I-Twilio-Idempotency-Token` (Twilio's connection overrides `#rc=2&rp=all`), and
an empty TwiML means the answer comes later through the REST API (the fake Twilio).
Every webhook's answers are recorded with their times, for `figures`.
"""
from __future__ import annotations

import random
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx
from twilio.request_validator import RequestValidator

from connectors.fake_twilio import FakeTwilio

SMS_PATH = "/webhooks/twilio_sms/webhook"
TWILIO_TIMEOUT = 15.0  # Twilio waits this long for a webhook's answer
RETRIES = 2            # `#rc=2`: two more attempts after the first
RETRY_PAUSE = 0.5
REST_WAIT = 25.0       # how long an empty TwiML's answer may take through REST
CONVERSATIONS = [
    ("es", "necesito la prueba de vih, no tengo papeles", "Cúcuta"),
    ("ht", "mwen bezwen fè tès VIH, mwen pa gen papye", "Santo Domingo"),
    ("pt", "preciso fazer o teste de HIV, não tenho documentos", "Boa Vista"),
    ("fr", "j'ai besoin de faire un test du VIH, je n'ai pas de papiers", "Dajabón"),
    ("en", "I need an HIV test, I have no papers", "Port of Spain"),
]
THANKS = {"es": "gracias", "ht": "mèsi", "pt": "obrigada", "fr": "merci", "en": "thanks"}


@dataclass
class Webhook:
    """One inbound SMS and everything that came back for it."""

    sender: str
    sid: str
    sent_at: float
    attempts: list[tuple[float, str]] = field(default_factory=list)  # (time, outcome)
    answers: list[tuple[float, list[str]]] = field(default_factory=list)  # (time, texts)

    @property
    def retried(self) -> bool:
        return len(self.attempts) > 1


class SteadyTraffic:
    """`phones` phones texting `base_url` in turn until `stop`; one thread each."""

    def __init__(self, base_url: str, public_url: str, auth_token: str, twilio: FakeTwilio,
                 phones: int = 10, pause: float = 1.0, new_person_every: int = 0) -> None:
        # A phone passes to a new person (number) after this many messages (0: never):
        # a soak of one endless conversation per phone measures its growing length.
        self.new_person_every = new_person_every
        # Seconds after which Twilio hangs up on a webhook's first attempt (None: never);
        # set by a test to make Twilio give up and retry while the answer is being made.
        self.hang_up_after: float | None = None
        self.base_url = base_url.rstrip("/")
        self.public_url = public_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.pause = pause
        self.webhooks: list[Webhook] = []
        self.rest_attributed = 0  # REST messages taken as some webhook's answer
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._rest: dict[str, list[tuple[float, str]]] = {}
        self._rest_arrived = threading.Condition()
        twilio.listeners.append(self._on_rest_message)
        self._prefix = random.randrange(10_000)
        self.numbers = [f"+57300{self._prefix:04d}{i:03d}" for i in range(phones)]
        self._threads = [threading.Thread(target=self._phone, args=(n, i), daemon=True)
                         for i, n in enumerate(self.numbers)]

    def start(self) -> "SteadyTraffic":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop sending; wait for the messages in flight (bounded by Twilio's waits)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=RETRIES * (TWILIO_TIMEOUT + RETRY_PAUSE) + REST_WAIT + 30)

    def between(self, start: float, end: float) -> list[Webhook]:
        with self._lock:
            return [w for w in self.webhooks if start <= w.sent_at < end]

    # ---- one phone ----------------------------------------------------------------
    def _phone(self, number: str, index: int) -> None:
        language, ask, place = CONVERSATIONS[index % len(CONVERSATIONS)]
        script = [ask, place, THANKS[language]]
        time.sleep(index * self.pause / len(self._threads))  # spread the phones out
        with httpx.Client(timeout=TWILIO_TIMEOUT) as client:
            turn = 0
            while not self._stop.is_set():
                started = time.monotonic()
                if self.new_person_every and turn and turn % self.new_person_every == 0:
                    number = f"+5731{random.randrange(10**8):08d}"
                    with self._rest_arrived:
                        self.numbers.append(number)
                self._text(client, number, script[turn % len(script)])
                turn += 1
                self._stop.wait(max(0.0, self.pause - (time.monotonic() - started)))

    def _text(self, client: httpx.Client, number: str, body: str) -> None:
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": number, "To": "+15005550006", "Body": body, "NumMedia": "0"}
        headers = {"X-Twilio-Signature": self.validator.compute_signature(
            self.public_url + SMS_PATH, form), "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
        webhook = Webhook(number, form["MessageSid"], time.monotonic())
        with self._lock:
            self.webhooks.append(webhook)
        with self._rest_arrived:
            rest_seen = len(self._rest.get(number, []))
        for attempt in range(1 + RETRIES):
            if attempt:
                time.sleep(RETRY_PAUSE)
            hang_up = self.hang_up_after if attempt == 0 else None
            outcome, texts = _post(client, self.base_url + SMS_PATH, form, headers, hang_up)
            now = time.monotonic()
            webhook.attempts.append((now, outcome))
            if texts:
                webhook.answers.append((now, texts))
            if outcome == "200":
                break
        if not webhook.answers:
            self._await_rest(webhook, rest_seen)

    def _await_rest(self, webhook: Webhook, seen: int) -> None:
        """An empty TwiML (or none at all): the answer may still come through REST."""
        deadline = time.monotonic() + REST_WAIT
        with self._rest_arrived:
            while time.monotonic() < deadline:
                arrived = self._rest.get(webhook.sender, [])[seen:]
                if arrived:
                    # Messages of one answer leave together: give the rest a moment.
                    self._rest_arrived.wait(timeout=1.0)
                    arrived = self._rest.get(webhook.sender, [])[seen:]
                    webhook.answers.append((arrived[0][0], [text for _, text in arrived]))
                    self.rest_attributed += len(arrived)
                    return
                self._rest_arrived.wait(timeout=deadline - time.monotonic())

    def _on_rest_message(self, record: dict) -> None:
        with self._rest_arrived:
            self._rest.setdefault(record.get("to") or "", []).append(
                (time.monotonic(), record.get("body") or ""))
            self._rest_arrived.notify_all()

    def stray_rest_messages(self) -> int:
        """REST messages to our phones that answered no empty TwiML: a second answer
        to a webhook that had one already (or one too late to be taken as its answer)."""
        with self._rest_arrived:
            sent = sum(len(self._rest.get(number, [])) for number in self.numbers)
            return sent - self.rest_attributed


def _post(client: httpx.Client, url: str, form: dict, headers: dict,
          hang_up: float | None = None) -> tuple[str, list[str]]:
    """One attempt: its outcome (status code, `refused`, `timeout`, `cut`) and texts."""
    timeout = httpx.Timeout(TWILIO_TIMEOUT, read=hang_up) if hang_up else None
    try:
        reply = client.post(url, data=form, headers=headers,
                            **({"timeout": timeout} if timeout else {}))
    except httpx.ConnectError:
        return "refused", []
    except httpx.TimeoutException:
        return "timeout", []
    except httpx.TransportError:
        return "cut", []
    if reply.status_code != 200:
        return str(reply.status_code), []
    return "200", [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]
