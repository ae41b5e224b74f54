"""Every text a person receives, as English source strings keyed by response name.

Babel extracts the `N_(...)` strings into `locales/messages.pot`; translations live in
`locales/<lang>/LC_MESSAGES/messages.po`. A response has an SMS text (short, plain,
GSM-7 friendly) and, where WhatsApp deserves more, a richer WhatsApp text.
Placeholders use `{name}` and are filled by `nlg.render`.
"""
from __future__ import annotations

from typing import NamedTuple


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


class Message(NamedTuple):
    sms: str
    whatsapp: str | None = None


MESSAGES: dict[str, Message] = {
    "utter_welcome": Message(
        N_("Hi, this is Puente. I can tell you your health rights and find clinics that "
           "treat migrants. It is free and private. Reply MENU for options."),
        N_("Hi, this is *Puente* 🤝 I can tell you your health rights and find clinics "
           "that treat migrants. It is free and private. Reply *MENU* for options."),
    ),
    "utter_change_language": Message(
        N_("To change language, reply: English, Español, Français, Kreyòl or Português."),
    ),
    "utter_menu": Message(
        N_("Reply with a number:\n1 Find a clinic\n2 My rights\n3 Cost\n4 Papers I need\n"
           "5 Privacy\n6 Talk to a person\n7 Language"),
        N_("What do you need? Reply with a number:\n1️⃣ Find a clinic\n2️⃣ My rights\n"
           "3️⃣ Cost\n4️⃣ Papers I need\n5️⃣ Privacy\n6️⃣ Talk to a person\n7️⃣ Language"),
    ),
    "utter_language_menu": Message(
        N_("Choose your language:\n1 English\n2 Español\n3 Français\n4 Kreyòl\n5 Português"),
    ),
    "utter_language_set": Message(
        N_("OK, I will write in English."),
    ),
    "utter_ask_rephrase": Message(
        N_("Sorry, I did not understand. Can you say it another way?"),
    ),
    "utter_default": Message(
        N_("Sorry, I still did not understand."),
    ),
    "utter_out_of_scope": Message(
        N_("I can only help with health rights and clinics for migrants."),
    ),
    "utter_iamabot": Message(
        N_("I am an automatic assistant, not a person. Reply 6 to talk to a person."),
    ),
    "utter_thanks": Message(
        N_("You are welcome. Write any time."),
    ),
    "utter_goodbye": Message(
        N_("Take care. Write any time you need help."),
    ),
    "utter_service_unavailable": Message(
        N_("Sorry, Puente has a problem right now. Please try again later."),
    ),
}
