"""Texts the Twilio channels send themselves, before or instead of the assistant.

Sent by `connectors/` (inside the Rasa server) for keywords handled before NLU, for
paging, for messages the assistant cannot read, and as the apology when the
assistant fails. The connectors load the compiled catalogs with Python's gettext
(`connectors/texts.py`); the app merges this dict into its registry. Each keyword a
text names must be one `connectors/keywords.py` accepts in that language.
"""
from __future__ import annotations

from .messages import Message, N_

MESSAGES_CHANNEL: dict[str, Message] = {
    "channel_stopped": Message(
        N_("You will get no more messages from Puente. Reply START to come back."),
    ),
    "channel_started": Message(
        N_("Welcome back to Puente. Reply MENU for options or STOP to stop messages."),
    ),
    "channel_help": Message(
        N_("Puente: free, private health information for migrants. Reply MENU for "
           "options or STOP to stop messages. Hotline: {hotline}"),
    ),
    "channel_apology": Message(
        N_("Sorry, Puente cannot answer right now. Please try again later. If you need "
           "help now, call {hotline}."),
    ),
    "channel_more_hint": Message(
        N_("Reply MORE for the rest."),
    ),
    "channel_media_only": Message(
        N_("I can only read text. Please write your question in a message."),
    ),
    "channel_empty": Message(
        N_("Write your question in a few words, or reply MENU for options."),
    ),
    "channel_slow_down": Message(
        N_("You are sending a lot of messages. Please wait a minute, then write again."),
    ),
}
