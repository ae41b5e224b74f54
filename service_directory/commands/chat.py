"""`puente chat`: talk to the running stack as an SMS or WhatsApp user, no Twilio needed.

Sends webhooks exactly as Twilio would (form fields, `X-Twilio-Signature` computed
with TWILIO_AUTH_TOKEN over PUBLIC_BASE_URL + path) and shows what the phone would
receive: for SMS each message's encoding (GSM-7/UCS-2) and segment count. Replies
that come later through Twilio's REST API (the slow path) are caught by a local
fake Twilio that this command runs; start the stack with TWILIO_API_BASE pointing at
it (`puente demo` does), or pass --receiver-port to match the stack's setting.
WhatsApp: `/pin LAT LON` shares a location pin, `/media` sends a photo without text.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import uuid
from typing import Callable, List, Optional

import httpx
from twilio.request_validator import RequestValidator

from connectors.fake_twilio import FakeTwilio
from connectors.gsm import encoding, segment_count

DEV_TWILIO_TOKEN = "dev-twilio-token"
TWILIO_NUMBER = {"sms": "+15005550006", "whatsapp": "whatsapp:+14155238886"}
HELP = "Type a message. /quit ends{extra}."


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="chat with the running stack as an SMS or "
                                   "WhatsApp user")
    add_arguments(parser)
    parser.set_defaults(handler=lambda args: run(args))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", choices=["sms", "whatsapp"], default="sms")
    parser.add_argument("--from", dest="sender", default="+573001234567",
                        help="the phone number you pretend to be (default a Colombian one)")
    parser.add_argument("--url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
                        help="the Rasa server (default RASA_URL)")
    parser.add_argument("--public-base-url", default=os.environ.get("PUBLIC_BASE_URL"),
                        help="the URL the stack signs against (default PUBLIC_BASE_URL, "
                             "else --url)")
    parser.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN",
                                                               DEV_TWILIO_TOKEN))
    parser.add_argument("--receiver-port", type=int, default=0,
                        help="port of the local fake Twilio catching REST replies")


def describe(message: str, channel: str) -> str:
    """How a phone shows one message, with SMS cost details."""
    if channel == "sms":
        return f"[{encoding(message)}, {segment_count(message)} segment(s)]\n{message}"
    return message


class ChatSession:
    """One person's conversation with the stack through the Twilio webhooks."""

    def __init__(self, url: str, channel: str, sender: str, auth_token: str,
                 public_base_url: Optional[str] = None) -> None:
        self.channel = channel
        self.address = ("whatsapp:" + sender.removeprefix("whatsapp:")
                        if channel == "whatsapp" else sender)
        self.path = f"/webhooks/twilio_{channel}/webhook"
        self.url = url.rstrip("/") + self.path
        self.signed_url = (public_base_url or url).rstrip("/") + self.path
        self.validator = RequestValidator(auth_token)
        self.http = httpx.Client(timeout=20)

    def send(self, body: str = "", **extra: str) -> List[str]:
        """POST one inbound message; the TwiML messages of the immediate answer."""
        import xml.etree.ElementTree as ET

        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": self.address, "To": TWILIO_NUMBER[self.channel], "Body": body,
                "NumMedia": "0", **extra}
        signature = self.validator.compute_signature(self.signed_url, form)
        reply = self.http.post(self.url, data=form, headers={"X-Twilio-Signature": signature})
        if reply.status_code != 200:
            raise RuntimeError(f"the stack answered HTTP {reply.status_code}: {reply.text[:200]}")
        return [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]

    def line(self, text: str) -> List[str]:
        """A typed line: `/pin LAT LON` and `/media` for WhatsApp, else a text."""
        if self.channel == "whatsapp" and text.startswith("/pin"):
            parts = text.split()
            if len(parts) != 3:
                raise ValueError("usage: /pin LAT LON, e.g. /pin 4.7110 -74.0721")
            return self.send("", Latitude=parts[1], Longitude=parts[2])
        if self.channel == "whatsapp" and text.strip() == "/media":
            return self.send("", NumMedia="1", MediaContentType0="image/jpeg",
                             MediaUrl0="https://example.invalid/photo.jpg")
        return self.send(text)


def chat_loop(session: ChatSession, read: Callable[[], str] = input,
              write: Callable[[str], None] = print) -> None:
    extra = ", /pin LAT LON shares a location, /media sends a photo" \
        if session.channel == "whatsapp" else ""
    write(HELP.format(extra=extra))
    while True:
        try:
            text = read()
        except (EOFError, KeyboardInterrupt):
            break
        if text.strip() in {"/quit", "/exit"}:
            break
        try:
            for message in session.line(text):
                write("phone < " + describe(message, session.channel).replace("\n", "\n        "))
        except (ValueError, RuntimeError, httpx.HTTPError) as error:
            write(f"(error: {error})")


def start_receiver(address: str, channel: str, port: int = 0,
                   write: Callable[[str], None] = print) -> FakeTwilio:
    """A fake Twilio that prints the REST messages sent to `address`."""
    receiver = FakeTwilio(port=port)
    lock = threading.Lock()

    def show(record: dict) -> None:
        if record.get("to") != address:
            return
        text = record.get("body") or f"(template {record.get('content_sid')})"
        with lock:
            write("phone < (via REST) " + describe(text, channel).replace("\n", "\n        "))

    receiver.listeners.append(show)
    return receiver.start()


def run(args: argparse.Namespace) -> int:
    session = ChatSession(args.url, args.channel, args.sender, args.auth_token,
                          args.public_base_url)
    receiver = start_receiver(session.address, args.channel, args.receiver_port)
    print(f"Chatting with {args.url} as {session.address} over {args.channel}. "
          f"REST replies are caught at {receiver.base_url} (the stack's TWILIO_API_BASE).")
    try:
        chat_loop(session)
    finally:
        receiver.stop()
    return 0

