"""What the SMS and WhatsApp channels share: the webhook, from signature to answer.

Order of a webhook (each step can end it):
1. `X-Twilio-Signature` checked against PUBLIC_BASE_URL + path: 403, nothing else runs.
2. `MessageSid` claimed in the state store (SET NX, a lease until answered:
   `claims.py`): a retry or a replay gets an empty TwiML and never a second answer,
   even while the first is still running; if the server answering it died, the retry
   answers, and Twilio's retry (same idempotency token) of an answer lost on its way
   back gets that answer again, once.
3. The address becomes a pseudonym; the number stays in this request's memory only.
4. The sender's inbound rate (`limits.py`): over it, one polite notice, then empty
   TwiML; an opt-out word is processed all the same (STOP always wins).
5. Keywords (STOP/START/HELP/MORE), media without text, empty bodies: answered here,
   before NLU, in the person's language.
6. Rasa runs the turn with a collecting output channel. Ready within the deadline
   (8 s, Twilio waits 15): TwiML in the response. Later: empty TwiML now, the REST
   API when ready. Nothing sent, or Rasa failed: the apology with the hotline.
Every message that leaves (TwiML, REST, proactive) first passes the daily caps of
outbound segments, per sender and in total (`limits.py`).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple
from urllib.parse import parse_qsl, urlencode
from xml.sax.saxutils import escape

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from . import awaited, keywords, limits, quiet_logs, rasa_speedups
from .claims import (CLAIMED, DONE, IDEMPOTENCY_HEADER, answer_again, claim_message,
                     claim_sends, remember_answer)
from .limits import Limits
from .privacy import country_hint
from .runtime import CLAIM, LAST_INBOUND, OPTOUT, PAGES, Runtime
from .settings import ConnectorSettings
from .twilio_client import TwilioSendError

rasa_speedups.install()

quiet_logs.install()  # Rasa's reports of failed actions: no conversation in them
log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
INTERNAL_HEADER = "X-Puente-Internal"
PROACTIVE_CONCURRENCY = 32
# A late answer (sent through REST) waits this many tries, 1 s, 2 s, ... apart (about
# 20 s in all), for a state store that is restarting.
LATE_STORE_ATTEMPTS = 6
# Twilio posts a form: its largest (4,096 characters of WhatsApp text, percent-encoded
# UTF-8, and ten media URLs) is well under this. Anything bigger is not Twilio.
MAX_WEBHOOK_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
# Response names that open or close the contact vault (reminders opted in or out).
KEEP_CONTACT = {"utter_reminder_set"}
FORGET_CONTACT = {"utter_reminder_stopped", "utter_deleted"}
# delete_my_data confirmed: everything the channels keep about her goes too.
ERASE_PERSON = {"utter_deleted"}
# Control characters other than tab and newlines: no text needs them, and a NUL
# cannot be stored in PostgreSQL's text columns.
_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {127: None}


def twiml(messages: List[str]) -> str:
    """A TwiML document sending `messages` in order."""
    body = "".join(f"<Message>{escape(m)}</Message>" for m in messages)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


class Reply:
    """What one turn produced: texts plus what the NLG told us about them."""

    def __init__(self) -> None:
        self.texts: List[str] = []
        self.language: Optional[str] = None
        self.kind: Optional[str] = None
        self.kinds: List[str] = []
        self.variables: Dict[str, Any] = {}

    def take(self, message: Dict[str, Any]) -> None:
        custom = message.get("custom") or {}
        if isinstance(custom, dict):
            self.language = custom.get("language") or self.language
            self.kind = custom.get("kind") or self.kind
            if isinstance(custom.get("template_variables"), dict):
                self.variables.update(custom["template_variables"])
        self.kind = self.kind or message.get("utter_action")
        kind = custom.get("kind") if isinstance(custom, dict) else None
        for name in (kind, message.get("utter_action")):
            if name and name not in self.kinds:
                self.kinds.append(name)
        text = message.get("text")
        if text and str(text).strip():
            self.texts.append(str(text).strip())


class TurnOutput(OutputChannel):
    """Collects one turn's bot messages; the webhook decides how they travel."""

    channel_name = "twilio"

    def __init__(self) -> None:
        self.reply = Reply()

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.reply.take(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.reply.take({"text": text})


class ProactiveOutput(OutputChannel):
    """Sends what Rasa says outside a webhook (trigger_intent: reminders) via REST.

    The person must have opted in (number in the vault) and not opted out.
    """

    channel_name = "twilio"

    def __init__(self, channel: "TwilioInputBase") -> None:
        self.channel = channel

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        reply = Reply()
        reply.take(dict(message))
        if reply.texts:
            await self.channel.send_proactive(recipient_id, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class TwilioInputBase(InputChannel):
    """A Twilio webhook channel; subclasses set names and how texts are shaped."""

    channel_name = "twilio"
    turn_output: type = TurnOutput
    proactive_output: type = ProactiveOutput

    def __init__(self, settings: Optional[ConnectorSettings] = None) -> None:
        self.settings = settings or ConnectorSettings.from_env()
        self.runtime = Runtime(self.settings)
        self.limits = Limits(self.runtime, self.channel_name)
        self._validator = RequestValidator(self.settings.auth_token)
        self._background: Set[asyncio.Task] = set()
        if not self.settings.validate_signatures:
            log.warning("%s: Twilio signature checks are OFF (development setting)",
                        self.channel_name)

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Secrets come from the environment only; credentials.yml may tune the deadline."""
        settings = ConnectorSettings.from_env()
        deadline = (credentials or {}).get("reply_deadline_seconds")
        if deadline is not None:
            from dataclasses import replace

            settings = replace(settings, reply_deadline_seconds=float(deadline))
            settings.check()
        return cls(settings)

    def get_output_channel(self) -> OutputChannel:
        return self.proactive_output(self)

    # ---- what subclasses shape ----------------------------------------------------
    def default_from(self) -> str:
        raise NotImplementedError

    def shape(self, texts: List[str], language: Optional[str]) -> Tuple[List[str], List[str]]:
        """(messages to send now, pages kept for MORE)."""
        raise NotImplementedError

    async def record_sent(self, messages: List[str]) -> None:
        """Anonymous counters for what was sent (SMS: segments)."""
        for name, detail in self.sent_counts(messages):
            await self.runtime.count(name, detail)

    def sent_counts(self, messages: List[str]) -> List[Tuple[str, object]]:
        """The counters (name, detail) `record_sent` adds one to, per message."""
        return []

    def units(self, message: str) -> int:
        """What one message costs against the daily caps (SMS: its segments)."""
        return 1

    async def before_nlu(self, form: Dict[str, str], person: str,
                         language: Optional[str]) -> Optional[List[str]]:
        """Texts to answer without NLU, or None to let the assistant answer."""
        body = form.get("Body") or ""
        opted_out = await self.runtime.is_opted_out(person)
        keyword = keywords.match(body, language, opted_out=opted_out)
        if keyword is not None:
            answer = await self.on_keyword(keyword, person, language)
            if answer is not None:
                return answer
        if not body.strip():
            if _whole_number(form.get("NumMedia")) > 0:
                await self.runtime.count("inbound_media_only")
                return [self.runtime.text("channel_media_only", language)]
            return [self.runtime.text("channel_empty", language)]
        return None

    async def on_keyword(self, keyword: keywords.Keyword, person: str,
                         language: Optional[str]) -> Optional[List[str]]:
        rt = self.runtime
        if keyword.kind == keywords.STOP:
            await rt.opt_out(person)
            await rt.tell_app(f"/v1/reminders/{person}/stop", {})  # STOP ends reminders
            await rt.count("keyword", "stop")
            return [rt.text("channel_stopped", keyword.language)]
        if keyword.kind == keywords.START:
            await rt.opt_in(person)
            await rt.count("keyword", "start")
            return [rt.text("channel_started", keyword.language)]
        if keyword.kind == keywords.HELP:
            await rt.count("keyword", "help")
            return [rt.text("channel_help", keyword.language)]
        return None

    def to_rasa(self, form: Dict[str, str], address: str) -> Tuple[str, Dict[str, Any]]:
        """The text and metadata Rasa gets: never the number, only coarse hints."""
        text = (form.get("Body") or "").translate(_CONTROL).strip()
        # A leading "/" would let anyone trigger any intent with Rasa's "/intent{...}"
        # syntax (e.g. an EXTERNAL_ reminder intent): people's text never does.
        text = text.lstrip("/").strip() or "?"
        limit = self.settings.max_inbound_chars
        if len(text) > limit:
            cut = text.rfind(" ", 0, limit)
            text = text[:cut if cut > limit // 2 else limit]
        return text, {"channel": self.channel_name, "country_hint": country_hint(address)}

    # ---- the webhook ----------------------------------------------------------------
    def _signature_ok(self, request: Request, form: Dict[str, str]) -> bool:
        if not self.settings.validate_signatures:
            return True
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        url = self.settings.public_base_url + request.path
        if request.query_string:
            url += "?" + request.query_string
        return bool(self._validator.validate(url, form, signature))

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint(f"{self.channel_name}_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            refused = _not_a_twilio_form(request)
            if refused is not None:
                await self._count_if_possible("webhook_malformed")
                return refused
            form = _form(request)
            if not self._signature_ok(request, form):
                await self._count_if_possible("webhook_rejected")
                log.warning("%s: webhook with a missing or wrong signature refused",
                            self.channel_name)
                return response.text("invalid signature", status=403)
            try:
                return await self._webhook(form, on_new_message,
                                           request.headers.get(IDEMPOTENCY_HEADER, ""),
                                           getattr(request.app.ctx, "agent", None))
            except Exception as error:  # never a stack trace, never silence
                log.error("%s webhook failed: %s; answering with the apology",
                          self.channel_name, type(error).__name__)
                log.debug("webhook failure", exc_info=True)
                return _xml(twiml(self._apology_without_state(form)))

        @blueprint.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            refused = _not_a_twilio_form(request)
            if refused is not None:
                return refused
            form = _form(request)
            if not self._signature_ok(request, form):
                return response.text("invalid signature", status=403)
            await self._status(form, request.args.get("occurrence"))
            return response.empty(status=204)

        @blueprint.route("/proactive", methods=["POST"])
        async def proactive(request: Request) -> HTTPResponse:
            if not self._internal_ok(request):
                return response.json({"error": f"send {INTERNAL_HEADER} (APP_SECRET)"},
                                     status=403)
            try:
                items = [ProactiveItem.parse(i) for i in (request.json or {})["items"]]
            except (KeyError, TypeError, ValueError) as error:
                return response.json({"error": f"bad items: {error}"}, status=400)
            return response.json({"results": await self.send_items(items)})

        return blueprint

    async def _count_if_possible(self, name: str) -> None:
        try:
            await self.runtime.count(name)
        except Exception as error:  # the counter's store is down: refuse all the same
            log.error("%s: could not count %s (%s)", self.channel_name, name,
                      type(error).__name__)

    def _apology_without_state(self, form: Dict[str, str]) -> List[str]:
        """The apology with the hotline when even the channel's store failed (Redis
        down): in the language the message is written in, else English. It cannot be
        deduplicated then; an apology twice beats silence."""
        language = _guess_language(form.get("Body") or "")
        return self.shape([self.runtime.text("channel_apology", language)], language)[0]

    async def _webhook(self, form: Dict[str, str], on_new_message: OnNewMessage,
                       idempotency_token: str = "", agent: Any = None) -> HTTPResponse:
        sid = form.get("MessageSid") or form.get("SmsSid")
        address = form.get("From")
        if not sid or not address:
            return response.text("MessageSid and From are required", status=400)
        state = self.runtime.state
        # A retry waits for a live first attempt to finish (it answers within the deadline).
        claim = await claim_message(state, CLAIM + sid, self.settings.reply_deadline_seconds + 1)
        if claim is None:
            again = await answer_again(state, sid, idempotency_token)
            if again is not None:  # Twilio's retry of an answer it never got
                await self.runtime.count("webhook_retry_answered")
                return _xml(again)
            await self.runtime.count("webhook_duplicate")
            log.info("%s: MessageSid seen before; not answered again", self.channel_name)
            return _xml(EMPTY_TWIML)
        answered = True
        try:
            answer = await self._answer_claimed(form, address, on_new_message, agent)
            if answer.status == 200 and answer.body and b"<Message>" in answer.body:
                await remember_answer(state, sid, idempotency_token, answer.body.decode())
            return answer
        except asyncio.CancelledError:  # the caller hung up: its retry must be answered
            answered = False
            raise
        finally:
            await claim.settle(answered, self.settings.dedupe_ttl_seconds)

    async def _answer_claimed(self, form: Dict[str, str], address: str,
                              on_new_message: OnNewMessage, agent: Any = None) -> HTTPResponse:
        rt = self.runtime
        person = rt.pseudonym(address)
        await rt.state.set(LAST_INBOUND + person, str(int(time.time())),
                           ttl_seconds=30 * 86400)
        language = await rt.language(person)
        sender = (address, form.get("To") or self.default_from())
        body = form.get("Body") or ""
        opting_out = _is_opt_out(body, language)
        # An opt-out that changes her state is always confirmed; a repeated one obeys
        # the limits like any other message.
        confirm_opt_out = opting_out and not await rt.is_opted_out(person)
        gate = await self.limits.inbound(person)
        if gate != limits.OK and not opting_out:
            if gate == limits.SILENT:
                return _xml(EMPTY_TWIML)
            language = language or _guess_language(body)
            notice = [rt.text("channel_slow_down", language)]
            return _xml(twiml(await self._finish(person, notice, language,
                                                 replace_pages=False)))

        direct = await self.before_nlu(form, person, language)
        if direct is not None:
            if gate != limits.OK and not confirm_opt_out:
                return _xml(EMPTY_TWIML)  # processed (STOP always wins), not answered
            return _xml(twiml(await self._finish(person, direct, language,
                                                 replace_pages=False,
                                                 exempt=confirm_opt_out)))

        # the reminders sent since her last message become part of her conversation
        # now, so her "OK", "1" or "2" is read as their answer (awaited.py)
        await awaited.apply(rt.state, agent, person)
        text, metadata = self.to_rasa(form, address)
        output = self.turn_output()
        turn = asyncio.ensure_future(self._run_turn(on_new_message, UserMessage(
            text, output, person, input_channel=self.channel_name, metadata=metadata), output))
        try:
            reply = await asyncio.wait_for(asyncio.shield(turn),
                                           self.settings.reply_deadline_seconds)
        except asyncio.TimeoutError:
            await rt.count("reply_slow")
            task = asyncio.ensure_future(self._deliver_later(turn, person, sender))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return _xml(EMPTY_TWIML)
        await self._keep_or_forget_contact(person, address, reply)
        messages = await self._finish(person, reply.texts, reply.language)
        await self._erase_if_asked(person, reply)
        return _xml(twiml(messages))

    async def _keep_or_forget_contact(self, person: str, address: str, reply: Reply) -> None:
        """The vault keeps her number from the moment she opts in to reminders (the
        only time a number is stored) and forgets it when she stops them."""
        if KEEP_CONTACT & set(reply.kinds):
            await self.runtime.vault.store(person, address)
            await self.runtime.opt_in(person)
        elif FORGET_CONTACT & set(reply.kinds):
            await self.runtime.vault.delete(person)

    async def _erase_if_asked(self, person: str, reply: Reply) -> None:
        """After the confirmation of delete_my_data has been counted and shaped: the
        channels' state about her goes (language, last message, opt-out, pages, vault,
        her counters), so no key or value names her pseudonym any more."""
        if ERASE_PERSON & set(reply.kinds):
            await self.runtime.forget_person(person)
            await self.limits.forget(person)

    async def _run_turn(self, on_new_message: OnNewMessage, message: UserMessage,
                        output: TurnOutput) -> Reply:
        """Rasa's turn; whatever fails, the reply has a text (the apology at worst)."""
        person = message.sender_id
        try:
            await on_new_message(message)
        except Exception as error:
            await self.runtime.count("turn_failed")
            log.error("%s: the assistant failed (%s); sending the apology",
                      self.channel_name, type(error).__name__)
            log.debug("turn failure", exc_info=True)
        reply = output.reply
        language = reply.language or await self.runtime.language(person)
        if reply.language:
            await self.runtime.remember_language(person, reply.language)
        if not reply.texts:
            await self.runtime.count("reply_apology")
            reply.texts = [self.runtime.text("channel_apology", language)]
        reply.language = language
        return reply

    async def _finish(self, person: str, texts: List[str], language: Optional[str],
                      replace_pages: bool = True, exempt: bool = False) -> List[str]:
        """Shape texts for the channel, keep extra pages for MORE, keep within the
        daily caps, count what goes out.

        A new answer replaces the pages of an older one (MORE then means "more of
        this"); keyword answers leave them alone.
        """
        now, later = self.shape(texts, language)
        if later:
            await self.runtime.state.set(PAGES + person, json.dumps(later),
                                         ttl_seconds=self.settings.pages_ttl_seconds)
        elif replace_pages:
            await self.runtime.state.delete(PAGES + person)
        allowed = await self._within_caps(person, now, exempt)
        await self.record_sent(allowed)
        return allowed

    async def _within_caps(self, person: str, messages: List[str],
                           exempt: bool = False) -> List[str]:
        """The messages the daily caps let through, in order (the rest is dropped)."""
        allowed: List[str] = []
        for message in messages:
            if not await self.limits.outbound(person, self.units(message), exempt):
                break
            allowed.append(message)
        return allowed

    async def _deliver_later(self, turn: "asyncio.Future[Reply]", person: str,
                             sender: Tuple[str, str]) -> None:
        """The slow path: the webhook already answered empty; send through REST."""
        reply = await turn
        messages: List[str] = []
        for attempt in range(LATE_STORE_ATTEMPTS):
            try:
                await self._keep_or_forget_contact(person, sender[0], reply)
                messages = await self._finish(person, reply.texts, reply.language)
                await self._erase_if_asked(person, reply)
                break
            except Exception as error:  # the state store is away (a Redis restart)
                log.warning("%s: a late answer waits for the state store (%s)",
                            self.channel_name, type(error).__name__)
                await asyncio.sleep(1.0 + attempt)
        else:  # no webhook is left to answer her: the apology goes, never silence
            messages = self.shape([self.runtime.text("channel_apology", reply.language)],
                                  reply.language)[0]
        await self._send(person, sender[0], sender[1], messages)

    async def _send(self, person: str, to: str, from_: str, messages: List[str],
                    template: Optional[Tuple[str, Dict[str, Any]]] = None,
                    occurrence: Optional[str] = None) -> int:
        """Send through REST; 21610 marks the person opted out. Returns how many went.

        A reminder's delivery reports name its occurrence (`?occurrence=KEY`)."""
        callback = f"{self.settings.public_base_url}/webhooks/{self.channel_name}/status"
        if occurrence:
            callback += "?" + urlencode({"occurrence": occurrence})
        sent = 0
        items: List[Dict[str, Any]] = [{"body": m} for m in messages]
        if template is not None:
            items = [{"content_sid": template[0], "content_variables": template[1]}]
        for item in items:
            try:
                await self.runtime.client.send(to, from_, status_callback=callback, **item)
                sent += 1
            except TwilioSendError as error:
                await self.runtime.count("send_failed", error.code or error.status)
                log.warning("%s: send refused (code %s)", self.channel_name, error.code)
                if error.opted_out:
                    await self.runtime.opt_out(person)
                return sent
        return sent

    async def _status(self, form: Dict[str, str], occurrence: Optional[str] = None) -> None:
        """Twilio's delivery report: count failures; 21610 means the person opted out.
        A reminder's report goes on to the app, which marks the occurrence."""
        status = form.get("MessageStatus") or form.get("SmsStatus") or ""
        code = form.get("ErrorCode") or ""
        if status in {"failed", "undelivered"}:
            await self.runtime.count("delivery_failed", code or status)
        if code == "21610" and form.get("To"):
            await self.runtime.opt_out(self.runtime.pseudonym(form["To"]))
        if occurrence and status in {"delivered", "failed", "undelivered", "sent"}:
            await self.runtime.tell_app("/v1/reminders/status", {
                "key": occurrence[:80], "status": status, "error_code": code or None})

    # ---- proactive ------------------------------------------------------------------
    async def consented_address(self, person: str) -> Tuple[Optional[str], str]:
        """Her address when she opted in (vault) and has not opted out since; else None
        and why (`opted_out`, `no_contact`), counted and logged without the number."""
        rt = self.runtime
        if await rt.is_opted_out(person):
            reason = "opted_out"
        else:
            address = await rt.vault.get(person)
            if address is not None:
                return address, "ok"
            reason = "no_contact"
        await rt.count("proactive_skipped", reason)
        log.info("%s: proactive message to %s not sent (%s)", self.channel_name, person[:8],
                 reason)
        return None, reason

    async def send_proactive(self, person: str, reply: Reply) -> int:
        """A message nobody asked for right now (Rasa's trigger_intent): only with consent."""
        rt = self.runtime
        address, _ = await self.consented_address(person)
        if address is None:
            return 0
        language = reply.language or await rt.language(person)
        template = await self.proactive_template(person, reply, language)
        if template is not None and not await self.limits.outbound(person, 1):
            return 0
        messages = [] if template else await self._finish(person, reply.texts, language)
        return await self._send(person, address, self.default_from(), messages, template)

    def _internal_ok(self, request: Request) -> bool:
        given = request.headers.get(INTERNAL_HEADER, "")
        return bool(given) and hmac.compare_digest(given.encode(),
                                                   self.settings.app_secret.encode())

    async def send_items(self, items: List["ProactiveItem"]) -> Dict[str, str]:
        """Send the worker's batch, only with consent, each key at most once; per key
        what happened: sent, duplicate, in_flight (another server is sending it now),
        opted_out, no_contact, capped or failed.

        The store is asked a handful of times for the whole batch (consent, the send
        leases, the daily caps; what was sent is written as it goes), and only the
        Twilio calls go one by one, a few at a time: a round trip per reminder and the
        conversation's lock, load and save were most of this endpoint's time. The
        conversation learns of each reminder when she next writes (`awaited.py`)."""
        rt = self.runtime
        counts: Counter = Counter()
        results: Dict[str, str] = {}
        batch = list({item.key: item for item in items}.values())  # a key once
        people = list(dict.fromkeys(item.person for item in batch))
        stored = await rt.state.get_many([key for p in people for key in (
            OPTOUT + p, rt.vault.key(p), LAST_INBOUND + p)])
        known = {p: stored[3 * i:3 * i + 3] for i, p in enumerate(people)}
        consenting: List[Tuple[ProactiveItem, str]] = []
        for item in batch:
            opted_out, sealed, _ = known[item.person]
            address = None
            try:
                address = rt.vault.open(item.person, sealed) if opted_out is None else None
            except Exception as error:  # a broken entry must not sink the batch
                log.error("%s: a vault entry could not be read (%s)", self.channel_name,
                          type(error).__name__)
                results[item.key] = "failed"
                continue
            if address is None:
                results[item.key] = "opted_out" if opted_out is not None else "no_contact"
                counts[("proactive_skipped", results[item.key])] += 1
            else:
                consenting.append((item, address))

        by_key = {item.key: item for item, _ in consenting}
        texts_sent: Dict[str, str] = {}

        async def remember(keys: List[str]) -> None:
            """Her conversation will learn of the reminders sent (awaited.py)."""
            sent: Dict[str, List[str]] = {}
            for key in keys:
                if key in texts_sent:
                    item = by_key[key]
                    sent.setdefault(item.person, []).append(
                        awaited.record(texts_sent[key], item.kind))
            await awaited.remember_many(rt.state, sent)

        lease, claims = await claim_sends(rt.state, list(by_key), on_done=remember)
        released: List[str] = []
        try:
            ready: List[Tuple[ProactiveItem, str, List[str], Any, int]] = []
            for item, address in consenting:
                if claims[item.key] != CLAIMED:
                    results[item.key] = "duplicate" if claims[item.key] == DONE else "in_flight"
                    counts[("proactive_" + results[item.key], "")] += 1
                    continue
                reply = Reply()
                reply.take({"text": item.text, "custom": {
                    "language": item.language, "kind": item.kind,
                    "template_variables": item.variables}})
                template = self.window_template(known[item.person][2], reply, item.language)
                if template is not None:
                    counts[("whatsapp_template", reply.kind or "default")] += 1
                messages = [] if template else (self.shape(reply.texts, item.language)[0])[:1]
                units = 1 if template else sum(self.units(m) for m in messages)
                ready.append((item, address, messages, template, units))
            allowed = await self.limits.outbound_many([(r[0].person, r[4]) for r in ready])
            gate = asyncio.Semaphore(PROACTIVE_CONCURRENCY)

            async def one(item: ProactiveItem, address: str, messages: List[str],
                          template: Any) -> None:
                async with gate:
                    try:
                        sent = await self._send(item.person, address, self.default_from(),
                                                messages, template, occurrence=item.key)
                    except Exception as error:  # one failure must not sink the batch
                        log.error("%s: proactive send failed (%s)", self.channel_name,
                                  type(error).__name__)
                        sent = 0
                if sent:
                    texts_sent[item.key] = item.text
                    results[item.key] = "sent"
                    for counter in self.sent_counts(messages):
                        counts[counter] += 1
                else:
                    results[item.key] = "opted_out" if await rt.is_opted_out(item.person) \
                        else "failed"
                lease.mark_done(item.key)  # sent, or refused for good by Twilio

            sends = []
            for (item, address, messages, template, _), ok in zip(ready, allowed):
                if ok:
                    sends.append(one(item, address, messages, template))
                else:
                    results[item.key] = "capped"
                    released.append(item.key)  # not sent: the key is not spent
            await asyncio.gather(*sends)
        finally:
            await lease.settle(released)
            await rt.state.incr_many({rt.counter_key(name, detail): amount
                                      for (name, detail), amount in counts.items()})
        skipped = Counter(r for r in results.values() if r not in ("sent", "duplicate"))
        if skipped:
            log.info("%s: proactive batch of %d: %s", self.channel_name, len(batch),
                     dict(skipped))
        return results

    def window_template(self, last_inbound: Optional[str], reply: Reply,
                        language: Optional[str]) -> Optional[Tuple[str, Dict[str, Any]]]:
        """WhatsApp overrides this: the approved template outside the 24-hour window
        (`last_inbound`: her last message's time as stored). SMS sends free text."""
        return None

    async def proactive_template(self, person: str, reply: Reply,
                                 language: Optional[str]) -> Optional[Tuple[str, Dict[str, Any]]]:
        """WhatsApp overrides this for its 24-hour rule; SMS sends free text."""
        return None


@dataclass(frozen=True)
class ProactiveItem:
    """One message the reminder worker asks to send (never a number: a pseudonym)."""

    key: str
    person: str
    text: str
    kind: str
    language: str
    variables: Dict[str, Any]

    @classmethod
    def parse(cls, raw: Dict[str, Any]) -> "ProactiveItem":
        key, person, text = str(raw["key"]), str(raw["person"]), str(raw["text"])
        if not key or len(key) > 80 or not person or not text.strip():
            raise ValueError("key, person and text are required")
        return cls(key, person, text, str(raw.get("kind") or "default"),
                   str(raw.get("language") or "en"), dict(raw.get("variables") or {}))


def _is_opt_out(body: str, language: Optional[str]) -> bool:
    keyword = keywords.match(body, language)
    return keyword is not None and keyword.kind == keywords.STOP


def _guess_language(body: str) -> Optional[str]:
    """The language a message is written in, when nothing is remembered about her."""
    from bot.components.language_guess import guess_language

    guessed = guess_language(body[:1000])
    return guessed[0] if guessed else None


def _whole_number(value: Optional[str]) -> int:
    """A form field that should be a count (`NumMedia`); 0 when it is not one."""
    try:
        return int((value or "0").strip())
    except ValueError:
        return 0


def _not_a_twilio_form(request: Request) -> Optional[HTTPResponse]:
    """413 or 415 for what Twilio never sends, before anything else reads it."""
    if len(request.body or b"") > MAX_WEBHOOK_BYTES:
        return response.text(f"a Twilio webhook is a form under {MAX_WEBHOOK_BYTES} bytes",
                             status=413)
    given = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if given and given != FORM_TYPE:
        return response.text(f"send {FORM_TYPE}, as Twilio does", status=415)
    return None


def _form(request: Request) -> Dict[str, str]:
    """Twilio's form fields, first value each, blank ones kept (the signature covers
    them: a media message has an empty `Body`, and Sanic's form drops blanks)."""
    form: Dict[str, str] = {}
    for key, value in parse_qsl((request.body or b"").decode("utf-8", "replace"),
                                keep_blank_values=True):
        form.setdefault(key, value)
    return form


def _xml(document: str) -> HTTPResponse:
    return response.text(document, content_type="text/xml; charset=utf-8")
