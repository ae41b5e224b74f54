"""The words of a reminder and of a check-in, from the catalogs, in her language.

The default names no illness and no medicine (DESIGN's privacy rules); her own
words replace it only when she chose them. SMS reminders must fit one GSM-7
segment: every catalog text here is short, and `tests` check each language.
"""
from __future__ import annotations

from babel.dates import format_time, get_day_names

from ..i18n import gettext_for
from ..messages import MESSAGES, TEXTS
from ..nlg import fill, source_text
from ..nlg import render as nlg_render
from .models import ReminderPlan
from .schedule import parse_hhmm

# The response names double as WhatsApp template kinds (connectors/whatsapp_templates.yml).
DOSE = "utter_dose_reminder"
DOSE_OWN_WORDS = "utter_dose_reminder_own_words"
CHECKIN = "utter_checkin"
CHECKIN_WEEKLY = "utter_checkin_weekly"


def render(kind: str, plan: ReminderPlan) -> tuple[str, str, dict[str, str]]:
    """(text, response kind, template variables) for one occurrence of `plan`."""
    if kind == "dose":
        name = DOSE_OWN_WORDS if plan.codeword else DOSE
    else:
        name = CHECKIN_WEEKLY if plan.mode == "weekly" else CHECKIN
    values = {"codeword": plan.codeword or "", "time": plan.local_time}
    text = nlg_render(name, plan.language, plan.channel, values)
    return text, DOSE if name == DOSE_OWN_WORDS else name, values


# --- the confirmation's words: days, time and clock in her language ------------------
_KREYOL_DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")


def day_names(lang: str) -> list[str]:
    """Monday-first weekday names (CLDR's Haitian Creole ones are French: not ours)."""
    if lang == "ht":
        return list(_KREYOL_DAYS)
    names = get_day_names("wide", locale=lang)
    return [names[i] for i in range(7)]


def when_text(lang: str, days: str | None, mode: str | None) -> str:
    """"every day", "every week on Monday", "on Monday, Thursday"."""
    chosen = sorted({int(d) for d in (days or "0123456")})
    names = day_names(lang)
    if mode == "weekly":
        return gettext_for(lang, TEXTS["every_week_on"]).format(day=names[chosen[0]])
    if len(chosen) == 7:
        return gettext_for(lang, TEXTS["every_day"])
    if chosen == [0, 1, 2, 3, 4]:
        return gettext_for(lang, TEXTS["on_weekdays"])
    return gettext_for(lang, TEXTS["on_days"]).format(days=", ".join(names[d] for d in chosen))


def time_label(lang: str, hhmm: str | None) -> str:
    """"8:00 PM" in English, "20:00" elsewhere (as each language writes the time)."""
    if not hhmm:
        return ""
    at = parse_hhmm(hhmm)
    if lang != "en":
        return f"{at:%H:%M}"
    return format_time(at, "short", locale="en").replace("\u202f", " ")


def reminder_summary(response: str):
    """A composer filling {when}, {time_label}, {zone} and {wording} for `response`."""

    def compose(lang: str, style: str, values: dict) -> str:
        filled = dict(values)
        filled["when"] = when_text(lang, values.get("days"), values.get("mode"))
        filled["time_label"] = time_label(lang, values.get("time"))
        filled["zone"] = values.get("zone_label") or ""
        if response == "utter_reminder_confirm":
            own = values.get("codeword")
            name = DOSE_OWN_WORDS if own else DOSE
            filled["wording"] = fill(gettext_for(lang, source_text(MESSAGES[name], style)),
                                     {"codeword": own})
        return fill(gettext_for(lang, source_text(MESSAGES[response], style)), filled)

    return compose


def checkin_help(lang: str, style: str, values: dict) -> str:
    """"2, I need help": the country's help line, when it has a number."""
    line = ""
    if values.get("line_phone"):
        line = gettext_for(lang, TEXTS["checkin_help_line"]).format(
            name=values.get("line_name") or "", phone=values["line_phone"])
    text = fill(gettext_for(lang, source_text(MESSAGES["utter_checkin_help"], style)),
                {**values, "line": line})
    return text.replace("  ", " ").strip()  # no line: no double space where it was


COMPOSERS = {name: reminder_summary(name) for name in (
    "utter_reminder_confirm", "utter_reminder_set", "utter_reminder_changed",
    "utter_reminder_resumed", "utter_reminder_unclear", "utter_reminder_moved")}
COMPOSERS["utter_checkin_help"] = checkin_help
