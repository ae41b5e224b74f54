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

MESSAGES.update({
    # Finding care
    "utter_ask_service_type": Message(
        N_("What do you need? Reply with a number:\n1 HIV test\n2 HIV treatment (ARV)\n"
           "3 PrEP\n4 PEP (after risk, within 72h)\n5 TB test or treatment\n6 STI test\n"
           "7 Contraception\n8 Pregnancy care\n9 Care after violence\n10 Mental health"),
    ),
    "utter_ask_location": Message(
        N_("Where are you? Write your city or neighbourhood."),
        N_("Where are you? Write your city or neighbourhood, or share your location 📍."),
    ),
    "utter_unknown_place": Message(
        N_("I do not know the place \"{location}\". Write the name of your city or town."),
    ),
    "utter_no_services_near": Message(
        N_("I found no place for this near {place}, even far away. For help, call {hotline}."),
    ),
    "utter_no_more_services": Message(
        N_("There are no more places on this list. Reply 1 to search again."),
    ),
    "utter_directory_unavailable": Message(
        N_("Sorry, I cannot search right now. For help, call {hotline}."),
    ),
    # Rights
    "utter_ask_country": Message(
        N_("Which country are you in? Reply with a number:\n1 Colombia\n2 Peru\n3 Ecuador\n"
           "4 Brazil\n5 Chile\n6 Trinidad and Tobago\n7 Guyana\n8 Dominican Republic\n"
           "9 Panama\n10 Mexico\nOr write the name."),
    ),
    "utter_ask_situation": Message(
        N_("The answer depends on your situation. It stays private and is not saved. "
           "Reply with a number:\n1 I have a visa or permit\n2 I have no papers\n"
           "3 I asked for asylum or refuge\n4 I am pregnant\n5 I am under 18"),
    ),
    "utter_rights_unknown_country": Message(
        N_("I do not have verified information for {country_name} yet. For help, call {hotline}."),
    ),
    "utter_rights_unknown_service": Message(
        N_("I do not have checked information on {kind} in {country_name} yet. "
           "For help, call {hotline}."),
    ),
    "utter_carry_for_treatment": Message(
        N_("To continue treatment, carry: your medicines for the trip, your last prescription "
           "or treatment card, your latest test results, and any ID you have. Ask your clinic "
           "for a referral letter. Never stop your treatment."),
    ),
    # Safety
    "utter_emergency": Message(
        N_("If you are in danger, call {emergency} now."),
    ),
    "utter_emergency_care": Message(
        N_("Where to go: {care}"),
    ),
    "utter_emergency_support": Message(
        N_("Support lines: {support}"),
    ),
    "utter_emergency_unknown_country": Message(
        N_("If you are in danger, call the local emergency number now (911 in many countries). "
           "Go to the nearest hospital emergency room: they must treat you, with or without papers."),
    ),
    "utter_human": Message(
        N_("To talk to a person: {hotline}."),
    ),
    # Reports
    "utter_ask_report_service": Message(
        N_("Which place treated you badly? Reply with its number from the list, or write its name."),
    ),
    "utter_ask_report_details": Message(
        N_("What happened? Write it in your own words. Do not write your name or number."),
    ),
    "utter_report_thanks": Message(
        N_("Thank you. Your report goes to the team that checks this place. "
           "Reply 1 to find another place."),
    ),
    # Reminders. What is sent unasked names no illness and no medicine, and each SMS
    # one fits one GSM-7 segment in every language (tests/service_directory).
    "utter_dose_reminder": Message(
        N_("Hi, it is time for your routine. Reply OK when done."),
    ),
    "utter_dose_reminder_own_words": Message(
        N_("{codeword}. Reply OK when done."),
    ),
    "utter_checkin": Message(
        N_("Hi, how are you? Reply 1 if all is well, 2 if you need help."),
    ),
    "utter_checkin_weekly": Message(
        N_("Hi, how was your week? Reply 1 if all is well, 2 if you need help."),
    ),
    "utter_reminder_ask_time": Message(
        N_("At what time should I write to you? For example: 8pm or 20:00."),
    ),
    "utter_reminder_confirm": Message(
        N_("I will write to you {when} at {time_label}, {zone} time: \"{wording}\" "
           "Reply YES to start, NO to cancel, or write the words you prefer "
           "(e.g. say: coffee time)."),
    ),
    "utter_reminder_set": Message(
        N_("Done: {when} at {time_label}, {zone} time. To change it, write the new time. "
           "To pause: \"pause\". To end it: \"no more reminders\"."),
    ),
    "utter_reminder_cancelled": Message(
        N_("OK, no reminder was set."),
    ),
    "utter_reminder_changed": Message(
        N_("Changed: {when} at {time_label}, {zone} time."),
    ),
    "utter_reminder_paused": Message(
        N_("OK, no reminders for {days} days. They start again by themselves, or write "
           "\"resume\"."),
    ),
    "utter_reminder_resumed": Message(
        N_("Your reminders start again: {when} at {time_label}, {zone} time."),
    ),
    "utter_reminder_stopped": Message(
        N_("Your reminders are stopped and I deleted your number. Write any time to start "
           "again."),
    ),
    "utter_reminder_none": Message(
        N_("You have no reminder. To get one, write for example: reminder at 8pm."),
    ),
    "utter_reminder_unclear": Message(
        N_("Your reminder: {when} at {time_label}, {zone} time. Write a new time (e.g. 9pm), "
           "\"pause\" for a week, or \"no more reminders\"."),
    ),
    "utter_reminder_moved": Message(
        N_("Your reminder now follows {zone} time: {time_label}."),
    ),
    "utter_dose_noted": Message(
        N_("Noted. Well done!"),
    ),
    "utter_checkin_ok": Message(
        N_("Good to hear. Write any time if you need something."),
    ),
    "utter_checkin_help": Message(
        N_("I am sorry. A support team will see that you asked for help (not your number). "
           "{line} What is happening? Reply:\n1 side effects\n2 no medicine left\n3 I moved\n"
           "4 something else"),
    ),
    "utter_followup_noted": Message(
        N_("Thank you, the team will see it. Write any time."),
    ),
    # Privacy
    "utter_ask_confirm_delete": Message(
        N_("Do you want me to delete everything about you (our chat and reminders)? Reply YES or NO."),
    ),
    "utter_deleted": Message(
        N_("Done. I deleted our conversation and your data. Write any time to start again."),
    ),
    "utter_delete_cancelled": Message(
        N_("OK, nothing was deleted."),
    ),
})

# Pieces of composed texts (compose.py).
TEXTS: dict[str, str] = {
    "services_header": N_("Nearest {kind} near {place}:"),
    "services_widened": N_("Nothing close. {kind} within {km} km of {place}:"),
    "services_footer": N_("Reply 0 to report a place that refused you."),
    "services_footer_more": N_("Reply MORE for more places, 0 to report a place that refused you."),
    "phone": N_("Tel {phone}"),
    "hours_today": N_("today {hours}"),
    "closed_today": N_("closed today"),
    "opens_later_today": N_("opens at {time}"),
    "opens_tomorrow": N_("opens tomorrow {time}"),
    "opens_on": N_("opens {day} {time}"),
    "speaks": N_("speaks {languages}"),
    "stale": N_("(not checked for {days} days: call first)"),
    "never_verified": N_("(never checked: call first)"),
    "rights_focus_header": N_("{country}, {kind}:"),
    "enrolment_kind": N_("joining the public health system"),
    "source": N_("Source: {url}"),
    "rights_unconfirmed": N_("(Not fully confirmed.)"),
    "rights_paper_not_needed": N_("No {paper} needed for this either."),
    "rights_any_status": N_("This holds for everyone, whatever their migration status, "
                            "with or without papers."),
    "rights_offer_other": N_("Ask me about another service, or where to go."),
    "rights_general_offer": N_("For HIV, PrEP, TB, pregnancy or another service, tell me which."),
    "urgent_pep": N_("Go NOW to a hospital emergency room: medicine that prevents HIV (PEP) "
                     "must start within 72 hours."),
    "urgent_ec": N_("The morning-after pill works up to 5 days after."),
    "urgent_lines": N_("Call: {lines}"),
    "place_choices": N_("Which {location}? Reply with a number:"),
    "checkin_help_line": N_("Help line: {name} {phone}."),
    "every_day": N_("every day"),
    "on_weekdays": N_("Monday to Friday"),
    "on_days": N_("on {days}"),
    "every_week_on": N_("every week on {day}"),
}

SERVICE_TYPE_NAMES: dict[str, str] = {
    "hiv_testing": N_("HIV testing"),
    "hiv_treatment": N_("HIV treatment"),
    "prep": N_("PrEP"),
    "pep": N_("PEP"),
    "tb_testing": N_("TB testing"),
    "tb_treatment": N_("TB treatment"),
    "sti_testing": N_("STI testing"),
    "contraception": N_("contraception and condoms"),
    "prenatal_care": N_("pregnancy care"),
    "gbv_care": N_("care after violence"),
    "mental_health": N_("mental health care"),
    "emergency_care": N_("emergency care"),
    "health_care": N_("health care"),
}

FLAG_LABELS: dict[str, str] = {
    "serves_undocumented": N_("no papers needed"),
    "free_of_charge": N_("free"),
    "confidential_no_immigration_reporting": N_("does not report to immigration"),
    "lgbtqi_friendly": N_("LGBTQI+ friendly"),
    "sex_worker_friendly": N_("sex workers welcome"),
    "youth_friendly": N_("youth friendly"),
}

# Language names in their own language: never translated.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "es": "Español", "fr": "Français", "ht": "Kreyòl", "pt": "Português",
}
