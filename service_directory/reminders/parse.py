"""Reading a medication-reminder request out of a text message.

This module is the one place where reminder texts are parsed. The bot does not try
to pick the time, the days or the wording out of a message itself: it sends the
whole message text, as the person wrote it, to the app through its API, and the app
calls the functions here. Keeping the parsing in one pure module (stdlib only, no
database, no model) means every channel reads a message the same way and the rules
can be tested in tables.

People write these requests on SMS and WhatsApp, in English, Spanish, French,
Haitian Creole and Portuguese, often mixed, misspelt, without accents and inside a
long message about something else ("hola soy venezolana, tomo mis pastillas a las 9
de la noche y se me olvida"). So:

- text is folded first (`_fold`: accents and case removed) and the rules are written
  for the folded form; a codeword is still returned as the person wrote it;
- a bare number is never a time: it needs a cue ("a las", "at", "às", "vers"), a
  clock mark ("8:30", "20h", "8pm", "8è") or a part of the day ("de la noche",
  "di swa"), so doses, counts, dates and phone numbers are left alone;
- when a message names several times, an explicit one ("9 de la noche") wins over a
  bare cued one ("a las 6"), and a time after "instead of" / "en vez de" loses.

Public API: `TimeOfDay`, `parse_time`, `parse_days`, `parse_codeword`,
`parse_intent_cues`, `pause_days`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "TimeOfDay",
    "parse_codeword",
    "parse_days",
    "parse_intent_cues",
    "parse_time",
    "pause_days",
]


@dataclass(frozen=True)
class TimeOfDay:
    """A wall-clock time, without date or zone: the reminder fires daily at it."""

    hour: int  # 0-23
    minute: int  # 0-59


# --------------------------------------------------------------------------- folding

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'", "\u2013": "-", "\u2014": "-"}


def _fold_map(text: str) -> tuple[str, list[int]]:
    """Fold accents and case, and remember which original character each folded one
    came from, so a span found in the folded text can be cut out of the original."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        char = _APOSTROPHES.get(char, char)
        for part in unicodedata.normalize("NFKD", char.lower()):
            if unicodedata.combining(part):
                continue
            out.append(part)
            where.append(index)
    return "".join(out), where


def _fold(text: str) -> str:
    """Lower-case, accent-free text: "Mañana à 8è" → "manana a 8e"; rules match this."""
    return _fold_map(text)[0]


# --------------------------------------------------------------------------- numbers

_NUMBER_WORDS: dict[str, int] = {}
for _value, _words in {
    1: "uno una um uma une one",
    2: "dos dois duas deux two",
    3: "tres trois three twa",
    4: "cuatro quatro quatre four kat",
    5: "cinco cinq five senk",
    6: "seis six sis",
    7: "siete sete sept seven",
    8: "ocho oito huit eight uit",
    9: "nueve nove neuf nine nef",
    10: "diez dez dix ten dis",
    11: "once onze eleven onz",
    12: "doce doze douze twelve douz",
}.items():
    for _word in _words.split():
        _NUMBER_WORDS[_word] = _value
# Number words that are also everyday words ("once a week", "une fois", "una en la
# mañana y otra en la noche") are hours only with am/pm, with a cue and a part of the
# day, or after a Spanish/Portuguese hour article ("a la una", "a las once", "às uma").
# Haitian "en", "de", "set" are left out: they are common es/fr/en words.
_WEAK_NUMBER_WORDS = frozenset({"one", "une", "once", "um", "uno", "una", "uma"})
_HOUR_ARTICLE_CUE = re.compile(r"\b(?:las?|as)\s*$")
_WORDS_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

# Counting words ("one to ten"), for durations such as "dos dias" / "de jou".
_COUNT_WORDS = dict(_NUMBER_WORDS)
_COUNT_WORDS.update({"un": 1, "a": 1, "an": 1, "yon": 1, "de": 2, "set": 7})
_COUNT_ALT = "|".join(sorted(_COUNT_WORDS, key=len, reverse=True))

# --------------------------------------------------------------------------- times

# A number that could be an hour: 1-2 digits not inside a longer number, date,
# price or phone number, or a number word.
_HOUR_NUMBER = re.compile(
    rf"(?<![\w.,:/+$€#])(?:(?P<digits>\d{{1,2}})(?!\d)|(?P<word>{_WORDS_ALT})(?![\w']))"
)

# Parts of the day, by what they do to the hour (see `_apply_daypart`).
_DAYPART_ALTS = {
    "night": r"noches?|noch|noites?|nights?|nites?|tonight|tonite|nuits?|lannwit|nwit",
    "evening": r"evenings?|soirs?|soiree|diswa|aswe|swa",
    "afternoon": r"afternoons?|tardes?|apres[- ]?midi|aprem|apremidi|apre[- ]?midi",
    "morning": r"mornings?|mornin|mananas?|manhas?|matins?|mat|dimaten|maten",
    "early": r"madrugadas?",
    "noon": r"mediodia|medio\s+dia|meio[- ]?dia|noon|midday|midi",
    "midnight": r"medianoche|media\s+noche|meia[- ]?noite|midnight|minuit|minwi",
}
_DAYPART_GROUPS = "|".join(f"(?P<{name}>{alt})" for name, alt in _DAYPART_ALTS.items())

# What may follow the number: minutes, a clock mark, a fraction, am/pm, part of day.
_TIME_SUFFIX = re.compile(
    rf"""
    (?: \s?:\s?(?P<colon>\d{{2}})(?!\d)                      # 8:30
      | \.(?P<dot>\d{{2}})(?![\d.,])                          # 20.00
      | \s(?P<spaced>[0-5]\d)(?=\s?[ap](?:m|\.\s?m)(?![a-z]))  # 8 30pm
    )?
    (?: \s?(?P<word_mark>horas?|hours?|heures?)\b              # 8 horas / 8 heures
      | \s?(?P<oclock>o'?\s?clock|en\s+punto)\b                # 8 o'clock
      | \s?(?P<h_mark>h(?:rs?|s)?)\.?(?![a-z])                 # 20h, 20h30, 21hs
      | (?P<e_mark>\s?e)(?![\w'])                              # 8è (Haitian, folded)
    )?
    (?: \s?(?P<hmin>[0-5]\d)(?!\d) )?                          # 20h30, 8 heures 30
    (?: \s?(?:(?:y|e|et|and|ak)\s+)?(?:una\s+|a\s+)?
            (?P<frac>media|medio|meia|demie|demi|half|cuarto|quart|quarter
                    |quinze|quince|kenz|treinta|trinta|trente|tran)\b
      | \s?(?P<edmi>edmi)\b                                     # 8è edmi
      | \s(?:y|e|et|and)\s(?P<ymin>[0-5]\d)(?!\d)              # a las 8 y 15
      | \s(?:menos|moins|mwen)\s(?:le\s+|un\s+|um\s+)?
            (?P<minus>cuarto|quart|quarter|ka|quinze|quince|kenz|[0-5]?\d)\b
    )?
    (?P<ish>\s?-?ish\b)?
    (?: \s?(?P<ampm>[ap])(?:m|\.\s?m)\.?(?![a-z]) )?           # 8pm, 8 p.m., 8 a. m.
    (?: \s*(?P<dp_prep>(?:(?:de|del|d|en|por|in|at|du|da|pela|pelo|na|nan|di|a|this
                            |the|esta|ce|le|la|em|dans|hoy|hoje|toda|todas|las|every
                            |each|cada|of)\s+|l'\s?){{0,3}})
        (?P<dp>{_DAYPART_GROUPS})\b )?
    """,
    re.X,
)

_FRACTION_MINUTES = {
    "media": 30, "medio": 30, "meia": 30, "demie": 30, "demi": 30, "half": 30,
    "edmi": 30, "treinta": 30, "trinta": 30, "trente": 30, "tran": 30,
    "cuarto": 15, "quart": 15, "quarter": 15, "quinze": 15, "quince": 15, "kenz": 15,
    "ka": 15,
}

# Cues just before the number ("a las 8", "at 8", "às 8", "vers 8").
_STRONG_CUE = re.compile(
    r"""(?:\b(?:a\s+las?|alas|desde\s+las?|hasta\s+las?|antes\s+de\s+las?|despues\s+de\s+las?
        |eso\s+de\s+las?|tipo\s+las?|como\s+a\s+las?|como\s+las|para\s+las?|pa\s+las?
        |por\s+las?|son\s+las?|entre\s+las?|a\s+partir\s+de\s+las?|at|around|as|pelas?
        |ate\s+as|antes\s+das?|depois\s+das?|a\s+partir\s+das?|por\s+volta\s+das?|umas
        |vers|a\s+le|de\s+las?|make\s+it
        |(?:it|them|reminder|alarm|recordatorio|alarma|aviso|rappel|rapel|lembrete|alarme)
            \s+(?:for|to|para|pa|pour|pou|pra))\s*|@\s*)$""",
    re.X,
)
_WEAK_CUE = re.compile(
    r"\b(?:a|ve|from|until|till|by|before|after|des|avant|apres|jusqu'a|hasta|desde|"
    r"antes|depois|despues|about|approx|approximately)\s*$"
)
# Before a clock mark these make it a duration ("cada 8 horas", "chak 8è", "for 2h").
_DURATION_CUE = re.compile(
    r"\b(?:cada|every|each|toutes\s+les|tous\s+les|chaque|chak|a\s+cada|durante|during|"
    r"for|por|pendant|pandan|hace|faz|ha|depuis|il\s+y\s+a|desde\s+hace|en|in|dans|em|"
    r"within|dentro\s+de|plus\s+de|mas\s+de|more\s+than|menos\s+de|less\s+than|unas|sou|"
    r"gen)\s*$"
)
# Before a number with only a part of the day after it, a dose: "tomo 2 en la noche".
_COUNT_VERB = re.compile(
    r"\b(?:tomo|toma|tomar|tome|tomas|take|takes|taking|took|pran|prann|prends|prend|"
    r"prendre|prenez|tengo|tiene|tienen|have|has|had|j'ai|ai|tenho|tem|gen|with|con|"
    r"avec|ak|com)\s*$"
)
# A time after "instead of" is the one being replaced.
_REPLACED_CUE = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+de|en\s+lugar\s+de|au\s+lieu\s+de|olye|"
    r"em\s+vez\s+de|ao\s+inves\s+de|no\s+lugar\s+de|plus|not|from|no|nao|mais|pa|de|das|del)"
    r"\s*(?:a\s+las?|at|a|as|las|de)?\s*$"
)
# "la alarma de las 8": the time she has now, not the one she asks for.
_CURRENT_TIME_CUE = re.compile(r"(?:de\s+las?|from)\b")
# A time after "rather" / "plutôt" / "mete" ("put it at") is the one she wants.
_PREFERRED_CUE = re.compile(
    r"\b(?:rather|better|prefer\w*|plutot|mejor|prefiero|pito|melhor|prefiro|make\s+it|move\s+it"
    r"|change\s+it|set\s+it|mets|met|mete|coloca|ponlo|ponla|pasalo|fe\s+l)\b[^.!?;\d]{0,12}$"
)
# Ordinals: "2e dose", "3e fois", "8e etage".
_ORDINAL_ARTICLE = re.compile(r"\b(?:au|du|les|des|ma|mon|son)\s*$")
_COUNT_NOUN = re.compile(
    r"""\s*-?\s*(?:de\s+|d')?(?:dias?|days?|jours?|jou|journees?|semanas?|weeks?|semaines?
    |semen|mes(?:es)?|months?|mois|mwa|anos?|years?|ans|lane|pastillas?|pildoras?
    |tabletas?|capsulas?|pills?|pils|tablets?|capsules?|comprimes?|comprimidos?|pilules?
    |cachets?|grenn|gouttes?|gotas?|drops?|doses?|dosis|doz|veces|vezes|times|fois|fwa
    |hijos?|hijas?|ninos?|ninas?|kids?|children|enfants?|pitit|filhos?|filhas?|criancas?
    |personas?|people|personnes?|moun|pessoas?|cuadras?|blocks?|mg|ml|mcg|unidades|units?
    |inyecciones|injections?|piqures?|piki|cucharadas?|spoons?|kg|kilos?|lbs?|pounds?
    |metros?|meters?|km|soles|dolares|dollars?|pesos|reais|euros?|goud|etages?|etaj
    |siecles?|noches|noites|nights|evenings|tardes|mananas|manhas|mornings|soirs|soirees
    |matins|nuits|afternoons|ano|anos|vez)\b""",
    re.X,
)
_BAD_FOLLOWER = re.compile(r"[.,/-]\d")
_HALF_PAST = re.compile(
    r"\b(?:(?P<half>half)|quarter)\s+(?:past|after)\s*$|\b(?P<qto>quarter)\s+(?:to|till|before|of)\s*$"
)
_NOON_WORD = re.compile(
    r"(?<![\w-])(?:(?P<noon>mediodia|medio\s+dia|meio[- ]?dia|noon|midday|mid-day|midi)"
    r"|(?P<midnight>medianoche|media\s+noche|meia[- ]?noite|midnight|minuit|minwi|minui))\b"
    r"(?:\s?(?:(?:y|e|et|and|ak)\s+)?(?P<frac>media|meia|demie|demi|edmi|half|cuarto|quart)\b)?"
)
_AFTERNOON_BEFORE_MIDI = re.compile(r"apres[- ]?$|apre[- ]?$")

# Part of the day said before the number ("todas las noches a las 9", "chak swa a 10è").
_DAYPART_BEFORE = re.compile(
    r"\b(?:(?P<night>noches?|noites?|nights?|nites?|tonight|tonite|nuits?|lannwit|nwit)"
    r"|(?P<evening>evenings?|soirs?|soiree|diswa|aswe|swa)"
    r"|(?P<afternoon>afternoons?|(?:la|las|esta|cada|por|de|en|a|as|da|pela|todas)\s+tardes?"
    r"|apres[- ]?midi|aprem|apremidi|apre[- ]?midi)"
    r"|(?P<morning>mornings?|mornin|mananas?|manhas?|matins?|dimaten|maten)"
    r"|(?P<early>madrugadas?))\b"
)
_GREETING = re.compile(
    r"\b(?:buen[ao]s?\s+(?:noches|tardes|dias)|bnas\s+noches|good\s*(?:night|evening|afternoon|morning)"
    r"|boa\s+(?:noite|tarde)|bom\s+dia|bonne\s+(?:nuit|soiree)|bon\s+apres[- ]?midi|bon\s+swa"
    r"|bon\s+aswe)\b"
)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")


@dataclass(frozen=True)
class _Found:
    """A time found in folded text, with where it is and how sure we are."""

    time: TimeOfDay
    start: int
    end: int
    explicit: bool
    replaced: bool = False
    preferred: bool = False

    @property
    def rank(self) -> tuple[bool, bool, bool, int]:
        return (self.replaced, not self.preferred, not self.explicit, self.start)


def parse_time(text: str) -> TimeOfDay | None:
    """The time of day the person asks for, or None when no number is clearly a time."""
    found = _find_times(_fold(text or ""))
    return min(found, key=lambda f: f.rank).time if found else None


def _find_times(folded: str) -> list[_Found]:
    """All times in folded text, numbers first, then words such as "midnight"."""
    masked = _blank(_GREETING, folded)
    found: list[_Found] = []
    taken_until = -1
    for number in _HOUR_NUMBER.finditer(folded):
        if number.start() < taken_until:
            continue
        candidate = _read_clock(folded, masked, number)
        if candidate is not None:
            found.append(candidate)
            taken_until = candidate.end
    for word in _NOON_WORD.finditer(folded):
        if any(f.start <= word.start() < f.end for f in found):
            continue
        if word.group("noon") == "midi" and _AFTERNOON_BEFORE_MIDI.search(folded[: word.start()][-6:]):
            continue
        hour = 12 if word.group("noon") else 0
        minute = _FRACTION_MINUTES.get(word.group("frac") or "", 0)
        found.append(_Found(TimeOfDay(hour, minute), word.start(), word.end(), True))
    return found


def _read_clock(folded: str, masked: str, number: re.Match[str]) -> _Found | None:
    """Decide whether this number is a time and which one; None when it is not."""
    start, end = number.span()
    suffix = _TIME_SUFFIX.match(folded, end)
    g = suffix.groupdict()
    prefix = folded[max(0, start - 30) : start]
    word = number.group("word")
    hour = _NUMBER_WORDS[word] if word else int(number.group("digits"))

    if not (g["colon"] or g["dot"]) and _BAD_FOLLOWER.match(folded, end):
        return None  # 15/05, 2,5 mg, 8-9
    counted = _COUNT_NOUN.match(folded, end) or (
        g["e_mark"] and _COUNT_NOUN.match(folded, end + len(g["e_mark"]))
    )
    if counted and not (g["colon"] or g["ampm"] or g["h_mark"]):
        return None  # 2 pastillas, 3 dias, 2e dose
    if g["e_mark"] and not g["dp"] and _ORDINAL_ARTICLE.search(prefix):
        return None  # la 2e, au 3e

    strong = _STRONG_CUE.search(prefix)
    weak = None if strong else _WEAK_CUE.search(prefix)
    half_past = _HALF_PAST.search(prefix)
    dp = g["dp"]
    compact = bool(g["h_mark"] or (g["e_mark"] and not g["e_mark"].startswith(" ")))
    spoken_mark = bool(g["word_mark"] or (g["e_mark"] and g["e_mark"].startswith(" ")))
    sure = bool(g["colon"] or g["spaced"] or g["ampm"] or g["oclock"] or g["ish"] or half_past)
    duration = bool(_DURATION_CUE.search(prefix)) and not (sure or dp)
    dose = bool(_COUNT_VERB.search(prefix))

    if word in _WEAK_NUMBER_WORDS:
        # "a la una" / "a las once" yes; "at once", "une fois", "una en la noche" no.
        ok = sure or bool(dp and (strong or weak or spoken_mark)) or bool(
            strong and _HOUR_ARTICLE_CUE.search(strong.group())
        )
    else:
        ok = (
            sure
            or (compact and not duration)
            or (spoken_mark and not duration and bool(strong or weak or dp or g["hmin"]))
            or bool(strong)
            or (bool(dp) and not dose)
        )
    if word and dose and not sure:
        ok = False
    if not ok:
        return None

    minute = _minutes(g)
    if minute is None:
        return None
    if half_past:
        minute = 30 if half_past.group("half") else 15
        if half_past.group("qto"):
            hour, minute = hour - 1, 45
    if g["minus"]:
        hour, minute = _minus(hour, g["minus"])

    if g["ampm"]:
        hour = _apply_ampm(hour, g["ampm"])
    elif dp:
        hour = _apply_daypart(hour, _daypart_kind(suffix))
    elif 1 <= hour <= 12:
        kind = _daypart_before(masked, start)
        if kind:
            hour = _apply_daypart(hour, kind)
    if hour is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None

    cue = strong or weak or half_past
    span_start = start - len(cue.group(0)) if cue else start
    explicit = bool(sure or compact or dp or g["hmin"])
    before = folded[max(0, span_start - 20) : span_start]
    replaced = bool(_REPLACED_CUE.search(before) or (cue and _CURRENT_TIME_CUE.match(cue.group(0))))
    preferred = bool(_PREFERRED_CUE.search(before))
    return _Found(TimeOfDay(hour, minute), span_start, suffix.end(), explicit, replaced, preferred)


def _daypart_kind(match: re.Match[str]) -> str | None:
    """Which part of the day the suffix named (night, evening, morning...)."""
    for name in _DAYPART_ALTS:
        if match.group(name):
            return name
    return None


def _daypart_before(masked: str, start: int) -> str | None:
    """A part of the day said shortly before the number, in the same sentence."""
    window = masked[max(0, start - 45) : start]
    breaks = list(_SENTENCE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    said = list(_DAYPART_BEFORE.finditer(window))
    return said[-1].lastgroup if said else None


def _minutes(g: dict[str, str | None]) -> int | None:
    """Minutes from 8:30, 20h30, 8 y media, 8 e 15...; None when out of range."""
    for key in ("colon", "dot", "spaced", "hmin", "ymin"):
        if g[key]:
            value = int(g[key])
            return value if value < 60 else None
    if g["frac"] or g["edmi"]:
        return _FRACTION_MINUTES[g["frac"] or g["edmi"]]
    return 0


def _minus(hour: int, amount: str) -> tuple[int, int]:
    """Minutes to the hour: "9 menos cuarto" → 8:45, "9 menos 10" → 8:50."""
    minutes = _FRACTION_MINUTES.get(amount) or int(amount)
    if not 0 < minutes < 60:
        return hour, 0
    return (hour - 1) % 24, 60 - minutes


def _apply_ampm(hour: int, marker: str) -> int | None:
    """12am is midnight, 12pm is noon; "20pm" is forgiven, "20am" is not a time."""
    if marker == "a":
        if hour > 12:
            return None
        return 0 if hour == 12 else hour
    return hour + 12 if 1 <= hour <= 11 else hour


def _apply_daypart(hour: int, kind: str | None) -> int:
    """Move 1-11 into the afternoon/evening when the person said so; 12 at night is 0.

    With night words 1-3 stay early morning: "a las 2 de la noche" is 2 a.m."""
    if hour > 12 or kind is None:
        return hour
    if kind in ("evening", "afternoon"):
        return hour + 12 if 1 <= hour <= 11 else hour
    if kind == "night":
        if hour == 12:
            return 0
        return hour if 1 <= hour <= 3 else hour + 12
    if kind in ("early", "midnight"):
        return 0 if hour == 12 else hour
    return hour


# --------------------------------------------------------------------------- days

_DAY_NAMES: tuple[str, ...] = (
    r"lunes|lunnes|mondays?|munday|lundis?|lendi|segundas?(?:[- ]feira)?",
    r"martes|tuesdays?|tusdays?|teusday|tues|mardis?|madi|tercas?(?:[- ]feira)?",
    r"miercoles|miercole|mierkoles|miercols|wednesdays?|wensdays?|wendsdays?|wednsday"
    r"|wedensday|mercredis?|mecredi|mercerdi|mekredi|quartas?(?:[- ]feira)?",
    r"jueves|juebes|jeuves|thursdays?|thurdays?|thrusday|thurs|jeudis?|jedi"
    r"|quintas?(?:[- ]feira)?",
    r"viernes|biernes|fridays?|fryday|vendredis?|vandredi|sextas?(?:[- ]feira)?",
    r"sabados?|savado|saturdays?|saterday|samedis?|samdi",
    r"domingos?|sundays?|dimanches?|dimanch",
)
# Short forms, only trusted inside a range ("lun a vie", "mon-fri").
_DAY_SHORT: tuple[str, ...] = (
    "lun|mon|seg", "mar|tue|ter", "mie|mier|wed|mer|qua", "jue|thu|jeu|qui",
    "vie|fri|ven|sex", "sab|sat|sam", "dom|sun|dim",
)
_DAY = re.compile("|".join(rf"(?P<d{i}>\b(?:{alt})\b)" for i, alt in enumerate(_DAY_NAMES)))
_DAY_OR_SHORT = "|".join(
    rf"(?:\b(?:{full}|{short})\b\.?)" for full, short in zip(_DAY_NAMES, _DAY_SHORT)
)
_DAY_OR_SHORT_ONE = re.compile(
    "|".join(
        rf"(?P<d{i}>\b(?:{full}|{short})\b)"
        for i, (full, short) in enumerate(zip(_DAY_NAMES, _DAY_SHORT))
    )
)
_DAY_RANGE = re.compile(
    rf"(?P<first>{_DAY_OR_SHORT})\s*(?:-|a|al|hasta|au|to|through|thru|till|until|ate|rive|"
    rf"jiska|jusqu'?au|jusqu'?a)\s*(?:el\s+|le\s+|o\s+|la\s+|a\s+)?(?P<last>{_DAY_OR_SHORT})"
)
# Portuguese weekday names are also ordinals: "segunda dose", "la quinta vez".
_ORDINAL_AFTER = re.compile(
    r"\s+(?:vez|vezes|veces|dose|dosis|pastillas?|pildoras?|pilulas?|comprimidos?|semanas?|mes"
    r"|opcao|opcion|parte|pregunta|pergunta|fase|etapa|mano|mao|via|lingua|lengua|clase|classe"
    r"|serie|chance|oportunidad|oportunidade|filha|filho|hija|hijo|esposa|mulher|persona|pessoa"
    r"|cita|consulta|injecao|vacuna|vacina|ola|onda|caja|caixa)\b"
)
_ORDINAL_DAYS = ("segunda", "terca", "quarta", "quinta", "sexta")
_PLACE_NAMES = re.compile(r"\b(?:santo|sto\.?|sen)\s+(?:domingo|domeng)\b")
_EVERY_DAY = re.compile(
    r"\b(?:every\s*day|evryday|everyday|each\s+day|daily|all\s+days|7\s+days|todos\s+los\s+dias"
    r"|todo\s+los\s+dias|todos\s+dias|diario|(?<!\ba\s)diaria|diariamente|a\s+diario|cada\s+dia"
    r"|tous\s+les\s+jours|tout\s+les\s+jours|chaque\s+jour|quotidien\w*|chak\s+jou|tou\s+le\s+jou"
    r"|toulejou|tout\s+jou|tou\s+jou|todo\s+dia|todos\s+os\s+dias|dia\s+a\s+dia)\b"
)
_WEEKDAYS = re.compile(
    r"\b(?:weekdays?|week\s+days|dias\s+de\s+semana|dias\s+habiles|dias\s+laborables|entre\s+semana"
    r"|dias\s+de\s+trabajo|jours\s+de\s+semaine|en\s+semaine|jours\s+ouvr\w*|jou\s+(?:lasemen|travay)"
    r"|dias\s+uteis|dias\s+de\s+trabalho)\b"
)
_WEEKEND = re.compile(
    r"\b(?:fines?\s+de\s+semana|finde|weekends?|week-?ends?|fin\s+de\s+semaine|wikenn?"
    r"|fen\s+semen|fim\s+de\s+semana|fins\s+de\s+semana)\b"
)
_EXCEPT = re.compile(
    r"\b(?:except|excepto|exceto|excepcion|salvo|menos|sauf|sof|eksepte|fora|but\s+not"
    r"|pero\s+no|mais\s+pas|men\s+pa|sin|sem|not\s+on|no\s+los?)\b[^.!?;,\n]{0,40}"
)
# "hasta el lunes", "a partir de lundi": when something starts or ends, not which days.
_DAY_BOUNDARY = re.compile(
    r"\b(?:until|till|hasta(?:\s+el)?|jusqu'?(?:a|au)|jiska|ate(?:\s+a)?|a\s+partir\s+d(?:e|el|a|o)"
    r"(?:\s+(?:el|la|le))?|apati|starting(?:\s+on)?|from|desde(?:\s+el)?|des(?:\s+le)?|depuis)\s+"
    rf"(?:le\s+|el\s+|o\s+|a\s+)?(?:{'|'.join(_DAY_NAMES)})\b"
)
# "dimanch olye samdi": the day being replaced.
_INSTEAD_OF_DAY = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+del?|en\s+lugar\s+del?|au\s+lieu\s+du?|olye"
    r"|em\s+vez\s+d[aeo]|no\s+lugar\s+d[aeo]|ao\s+inves\s+d[aeo])\s+"
    r"(?:(?:el|los|le|les|la|o|os|a|as)\s+)?"
    rf"(?:{'|'.join(_DAY_NAMES)})\b"
)
_WEEKEND_GREETING = re.compile(
    r"\b(?:bo[nm]n?e?\s+(?:fin\s+de\s+semaine|fen\s+semen|wikenn?|week-?\s?end|fim\s+de\s+semana)"
    r"|(?:buen|feliz)\s+fin\s+de\s+semana|(?:good|nice|great|happy)\s+weekend)\b"
)
_ALL_DAYS = frozenset(range(7))


def _blank(pattern: re.Pattern[str], text: str) -> str:
    """Replace what the pattern matches with spaces, keeping every position."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def parse_days(text: str) -> frozenset[int] | None:
    """Weekdays asked for (Monday=0), or None when no day is named: "every day" then."""
    folded = _blank(_WEEKEND_GREETING, _blank(_PLACE_NAMES, _fold(text or "")))
    excluded: set[int] = set()  # "menos el domingo": every day but these
    for clause in _EXCEPT.finditer(folded):
        days = _named_days(clause.group(), every_day=False)
        if days:
            excluded |= days
            folded = folded[: clause.start()] + " " * len(clause.group()) + folded[clause.end() :]
    replaced: set[int] = set()  # "en vez del lunes": just not these
    for clause in _INSTEAD_OF_DAY.finditer(folded):
        replaced |= _named_days(clause.group())
    folded = _blank(_INSTEAD_OF_DAY, folded)
    included = _named_days(folded)
    if not included and not excluded:
        return None
    result = (included or set(_ALL_DAYS)) - excluded - replaced
    return frozenset(result) if result else None


def _named_days(folded: str, every_day: bool = True) -> set[int]:
    """Days named in folded text: phrases ("weekdays"), ranges, then single names.

    `every_day=False` for an exception clause: "sin falta todos los dias" excludes nothing."""
    days: set[int] = set()

    def take(pattern: re.Pattern[str], found: set[int]) -> None:
        nonlocal folded
        for match in pattern.finditer(folded):
            days.update(found)
            folded = folded[: match.start()] + " " * len(match.group()) + folded[match.end() :]

    take(_WEEKDAYS, {0, 1, 2, 3, 4})
    take(_EVERY_DAY, set(_ALL_DAYS) if every_day else set())
    take(_WEEKEND, {5, 6})
    for match in list(_DAY_RANGE.finditer(folded)):
        first = _day_number(_DAY_OR_SHORT_ONE, match.group("first"))
        last = _day_number(_DAY_OR_SHORT_ONE, match.group("last"))
        if first is None or last is None or first == last:
            continue
        days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
        folded = folded[: match.start()] + " " * len(match.group()) + folded[match.end() :]
    folded = _blank(_DAY_BOUNDARY, folded)
    for match in _DAY.finditer(folded):
        name = match.group().split("-")[0].split()[0]
        ordinal = name.rstrip("s") in _ORDINAL_DAYS and (
            _ORDINAL_AFTER.match(folded, match.end())
            or folded[: match.start()].endswith(("la ", "de "))
        )
        if ordinal:
            continue
        days.add(int(match.lastgroup[1:]))
    return days


def _day_number(pattern: re.Pattern[str], name: str) -> int | None:
    match = pattern.search(name)
    return int(match.lastgroup[1:]) if match else None


# --------------------------------------------------------------------------- codeword

_CODEWORD_MAX = 40
_QUOTED = re.compile(
    r"[\"“”„](?P<a>[^\"“”„\n]{1,80}?)[\"“”]"
    r"|«\s*(?P<b>[^»\n]{1,80}?)\s*»|‹(?P<c>[^›\n]{1,80}?)›"
    r"|(?<![\w])['‘’](?P<d>[^'‘’\n]{1,80}?)['’‘](?![\w])"
)
_CODEWORD_CUE = re.compile(
    r"""\b(?:
        (?:que|q|k)\s+(?:(?:el|mi|la|o|a|meu|minha)\s+(?:mensaje|recordatorio|texto|sms|alarma|aviso
            |notificacion|mensagem|lembrete)\s+)?(?:solo\s+|solamente\s+|nomas\s+|so\s+)?
            (?:diga|dija|ponga|salga|fale|apareca|dise)
      | con\s+(?:la|las)\s+palabras? | con\s+el\s+(?:texto|mensaje)
      | (?:can|could|should|will|to|that|which|it|just|only|and|message|reminder|text|please)
            \s+(?:just\s+|only\s+)?(?:say|says|saying)
      | ^\s*(?:say|says)
      | make\s+it\s+say | with\s+the\s+(?:words?|text|message) | call\s+it
      | (?P<write>write|ecri(?:s|vez|re)|ekri|escrev[ae])
      | qui\s+(?:dit|dise|disent) | avec\s+(?:le|les)\s+(?:mots?|texte) | en\s+disant
      | que\s+(?:ca|cela)\s+dise
      | ki\s+di | ak\s+(?:mo|pawol)(?:\s+sa(?:\s+a)?)?
      | com\s+(?:a|as)\s+palavras? | com\s+o\s+texto | dizendo
    )\b""",
    re.X,
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|nothing|nada|rien|pa|nao|never|jamais|ni|sin|without|sans|san|sem|don't|dont|ne)\b"
    r"(?:\s+\w+){0,1}\s*$"
)
_CLAUSE_BREAK = re.compile(r"[,.;!?]")
_NEGATION_NEAR_QUOTE = re.compile(
    r"\b(?:no|not|nothing|nada|rien|pa|nao|never|ni|sin|sans|sem|don't|dont)\b\s+(?:\w+\s+){0,2}$"
)
_NOTHING_AFTER = re.compile(
    r"\s*(?:nada|nothing|rien|anyen|about|sobre|sur|sou|de\s+vih|otra\s+cosa|something\s+else"
    r"|autre\s+chose|lot\s+bagay|outra\s+coisa|(?:in|en|an|em)\s+\w+|english|ingles|espanol|spanish"
    r"|francais|french|frances|creole|kreyol|crioulo|portugues|portuguese)\b"
)
# "write", "écris", "ekri", "escreve" also mean writing to us ("je t'écris demain", "write
# in english", "sa m ekri"): a wording follows only an imperative, not after a subject
# and not before a pronoun or a preposition.
_WRITER_BEFORE = re.compile(
    r"\b(?:i|je|j|m|mwen|yo|they|ils|elle|il|eu|q|que|quem|who|qui|vc|voce|you|u|ou|w|nou|we|on"
    r"|to|ap|te|pou|dwe|ka|can|peux|pode|pa|not|human|sa|ce|help|me|t|l|lui)'?\s*$"
)
_WRITE_NOT_WORDING = re.compile(
    r"\s*(?:in|en|an|em|a|to|ici|here|la|w|nou|m|me|moi|mwen|yon|un|une|uma|um|quoi|what|these|those"
    r"|that|this|sa|again|back|later|demain|demen|tomorrow|lui|li|pou|pour|for|ou|or|essas|esses|ce"
    r"|mes|my|your|ton|ta|vos|nan|sou|sur|about|de|del|des|plus|pas|ye|non)\b|-"
)
_LEADING_FILLER = re.compile(
    r"^(?:[\s:\-\"'“”«»‘’]+|(?:solo|solamente|only|just|juste|seulement|apenas|so|selman"
    r"|algo\s+como|something\s+like|quelque\s+chose\s+comme|tipo|like|the\s+words?|le\s+mot"
    r"|les\s+mots|la\s+palabra|las\s+palabras|a\s+palavra|as\s+palavras|mo|sa\s+a)\b)+"
)
_CODEWORD_END = re.compile(
    r"""[.!?;,\n(]|\s(?:and\s+nothing\s+else|y\s+nada\s+mas|et\s+rien\s+d'autre|e\s+nada\s+mais
    |instead|en\s+vez|en\s+lugar|au\s+lieu|olye|em\s+vez|no\s+lugar|so\s+nobody|para\s+que\s+nadie
    |pour\s+que\s+personne|pou\s+moun|pra\s+ninguem|in\s+the\s+(?:text|message|reminder)
    |en\s+el\s+(?:mensaje|recordatorio)|dans\s+le\s+(?:rappel|message)|nan\s+mesaj|no\s+lembrete
    |na\s+mensagem|as\s+the\s+message|como\s+mensaje|comme\s+message|kom\s+mesaj|como\s+mensagem
    |por\s+favor|porfa|please|pls|plz|svp|s'il\s+vous\s+plait|stp|tanpri|pfv|por\s+fa
    |(?:y|e|et|and|epi|ak)\s+(?:que|q|that|qui|ki|make|send|mandame|recuerdame|avisame|remind)\b)""",
    re.X,
)
_TRAILING_STOP = frozenset(
    "a las la at as the de del to todos los every each cada chak tous les and y e et ak com con "
    "with on el le o os please por favor pf svp tanpri plz pls me m mwen".split()
)
_STRIP = " \t.,;:!?¡¿\"'“”«»‘’‹›()[]-–—…*"
_WORD = re.compile(r"[a-z]+")


def parse_codeword(text: str) -> str | None:
    """The wording she wants the reminder to say instead of the neutral default.

    Quoted text wins; otherwise what follows a cue such as "que diga" / "ki di" / "say".
    Negated cues ("que no diga pastilla", "nothing that says meds") are not wishes."""
    text = text or ""
    folded, where = _fold_map(text)
    for quote in _QUOTED.finditer(text):
        inner = next(group for group in quote.groups() if group is not None)
        before = _fold(text[max(0, quote.start() - 30) : quote.start()])
        before = _CLAUSE_BREAK.split(before)[-1]
        if _NEGATION_BEFORE.search(before) or _NEGATION_NEAR_QUOTE.search(before):
            continue  # que no diga "pastilla"
        word = _clean_codeword(inner, quoted=True)
        if word:
            return word
    times: list[_Found] | None = None  # found once, on first need
    for cue in _CODEWORD_CUE.finditer(folded):
        if _NEGATION_BEFORE.search(folded[max(0, cue.start() - 20) : cue.start()]):
            continue
        if _NOTHING_AFTER.match(folded, cue.end()):
            continue
        if cue.group("write") and (
            _WRITER_BEFORE.search(folded[max(0, cue.start() - 12) : cue.start()])
            or _WRITE_NOT_WORDING.match(folded, cue.end())
        ):
            continue
        start = cue.end()
        filler = _LEADING_FILLER.match(folded[start:])
        if filler:
            start += filler.end()
        if times is None:
            times = _find_times(folded)
        stop = _codeword_stop(folded, start, times)
        if stop <= start:
            continue
        word = _clean_codeword(text[where[start] : where[stop - 1] + 1])
        if word:
            return word
    return None


def _codeword_stop(folded: str, start: int, times: list[_Found]) -> int:
    """Where the wording after a cue ends: a sentence break, a time, a day, "please"..."""
    stop = len(folded)
    end = _CODEWORD_END.search(folded, start)
    if end:
        stop = end.start()
    for found in times:
        if start <= found.start < stop:
            stop = found.start
    for pattern in (_DAY, _EVERY_DAY, _WEEKDAYS, _WEEKEND):
        match = pattern.search(folded, start, stop)
        if match:
            stop = match.start()
    return stop


def _clean_codeword(raw: str, quoted: bool = False) -> str | None:
    """Trim punctuation (and, unquoted, trailing filler words such as "a las"), cap at 40
    characters on a word boundary, and refuse wording that is only a time or a day."""
    words = raw.strip(_STRIP).split()
    while words and not quoted and _fold(words[-1]).strip(_STRIP) in _TRAILING_STOP:
        words.pop()
    word = " ".join(words).strip(_STRIP)
    if len(word) > _CODEWORD_MAX:
        cut = word[: _CODEWORD_MAX + 1]
        word = cut.rsplit(" ", 1)[0] if " " in cut else word[:_CODEWORD_MAX]
        word = word.strip(_STRIP)
    if not word or _only_time_or_day(word):
        return None
    return word


def _only_time_or_day(word: str) -> bool:
    """True when nothing but a time, a day or filler is left once those are removed."""
    folded = _fold(word)
    spans = [(f.start, f.end) for f in _find_times(folded)]
    for pattern in (_DAY, _EVERY_DAY, _WEEKDAYS, _WEEKEND, _DAY_RANGE):
        spans += [m.span() for m in pattern.finditer(folded)]
    for start, end in spans:
        folded = folded[:start] + " " * (end - start) + folded[end:]
    rest = [w for w in _WORD.findall(folded) if w not in _TRAILING_STOP]
    return not rest


# --------------------------------------------------------------------------- intents


def _alternatives(*parts: str, flags: int = 0) -> re.Pattern[str]:
    """One word-bounded regex from alternatives written one (or a few) per line."""
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", flags)


_REMINDER_NOUN = (
    r"(?:reminders?|recordatorios?|avisos?|rappels?|rapels?|rapel|lembretes?|lenbretes?|messages?"
    r"|mensajes?|mensagens?|mesaj|alarm\w*|alam|alert\w*|alet|textos?|texts?)"
)
_SEND_VERB = (
    r"(?:send|sending|text|texting|remind\w*|manda\w*|mande\w*|envia\w*|envie\w*|escrib\w*"
    r"|activa\w*|prende\w*|envoie\w*|envoy\w*|voye|raple|liga\w*|lembr\w*|escrev\w*)"
)
_AGAIN = r"(?:again|otra\s+vez|de\s+nuevo|nuevamente|a\s+nouveau|de\s+nouveau|encore|anko|de\s+novo)"
_WANT = r"(?:quiero|kiero|want|veux|vle|quero)"

# A temporary stop, said as such.
_PAUSE_WORD = _alternatives(
    r"paus\w*", r"hold(?:\s+off)?", r"on\s+hold", r"take\s+a\s+break", r"skip\w*",  # en
    r"un\s+descanso",  # es ("pausa" above)
    r"en\s+pose",  # fr ("en pause" above)
    r"poz", r"sou\s+poz", r"poze\s+(?:rapel|alam|mesaj|alet)\w*", r"sote",  # ht
    r"pul(?:a|ar|e)",  # pt
)
# Stop words. Alone they stop for good; with an end in time they pause.
_STOP = _alternatives(
    # en
    r"stop\w*", r"cancel\w*", r"unsubscribe", r"remove", r"delete", r"deactivate", r"quit",
    r"enough\s+(?:of\s+)?(?:the\s+)?(?:reminders?|messages?|texts?|alerts?)",
    r"no\s+need\s+to\s+remind", r"(?:reminders?|alarms?|alerts?)\s+off", r"take\s+off",
    r"get\s+rid\s+of", r"no\s+longer", r"turn\s+(?:\w+\s+){0,2}off", r"switch\s+(?:\w+\s+){0,2}off",
    r"off\s+reminders?", r"no\s+more", r"no\s+(?:reminders?|texts?|messages?|alerts?)",
    r"don'?t\s+(?:send|remind|text|message)", r"do\s+not\s+(?:send|remind|text)",
    r"don'?t\s+(?:want|need)\s+(?:\w+\s+){0,2}"
    r"(?:reminders?|reminding|texts?|messages?|alarms?|alerts?)",
    r"end\s+(?:the\s+|my\s+)?reminders?",
    # es
    r"cancel\w*", r"anula\w*", r"desactiv\w*", r"borra\w*", r"elimina\w*", r"apaga\w*", r"suspend\w*",
    r"deja\w*\s+de", r"dejar\s+de", r"dejen\s+de", r"deten(?:er|gan|te|lo|los|ganlo)?", r"parar",
    r"para\s+(?:de|ya|ja|so|solo|todo|tudo)",
    r"para\s+(?:os|los|as)\s+"
    r"(?:lembretes|recordatorios|avisos|alarmas|alarmes|mensajes|mensagens|alertas)",
    r"para\s+o\s+(?:lembrete|alarme|aviso)",
    r"ya\s+no\s+(?:\w+\s+)?(?:quiero|kiero|necesito|tomo)",
    r"ya\s+no\s+(?:me\s+)?"
    r"(?:mandes|manden|envies|envien|recuerdes|recuerden|escribas|escriban|mande|avises)",
    r"deja\s+(?:los|el|las|la)\s+(?:recordatorios?|avisos?|alarmas?|mensajes?)",
    r"no\s+(?:me\s+)?"
    r"(?:mandes|mande|manden|envies|envie|mandar|enviar|recuerdes|recuerden|escribas|escriban)",
    r"no\s+(?:quiero|kiero)\s+(?:(?:mas|los|las|ningun\w*|recibir|q|que)\s+){0,2}"
    r"(?:recordatorio|mensaje|aviso|alerta|alarma|me)\w*",
    r"no\s+mas", r"basta\s+(?:de|ya)", r"^\s*basta(?=\s*[.!]*\s*$)", r"dar(?:me)?\s+de\s+baja",
    r"me\s+salgo",
    r"quit(?:a|ar|en|alo|alos|ala|alas)", r"kit(?:a|ar|en|alo|alos)",
    # fr
    r"arret\w*", r"annul\w*", r"supprim\w*", r"efface\w*", r"enleve\w*", r"desabonn\w*",
    r"desinscri\w*",
    r"coupe\w*\s+(?:les|le|mes|mon)\s+(?:rappels?|messages?|alertes?|alarmes?)",
    r"fini\s+les\s+(?:rappels?|rapels?|alertes?|messages?)", r"plus\s+d'\s?(?:alertes?|rappels?)",
    r"(?:ne\s+)?(?:m'|me\s+)?(?:envoie|envoyez|rappelle|ecris)\w*\s+(?:plus(?!\s+tard)|pas|rien)",
    r"(?:plus|pas|assez)\s+de\s+(?:rappels?|rapels?|messages?|alertes?)", r"fin\s+des\s+rappels",
    r"je\s+(?:ne\s+)?veux\s+plus", r"jveux\s+plus", r"plus\s+besoin",
    # ht
    r"sispann?", r"kanpe", r"anile\w*", r"efase", r"dezaktive", r"dezabone", r"femen", r"arete",
    r"mete\s+fen", r"pa\s+vle\s+okenn", r"ase\s+(?:ak|voye|rapel\w*|mesaj|alam)",
    r"retire\s+(?:m\b|(?:\w+\s+)?(?:rapel|alam|alet|mesaj|abonman)\w*)",
    r"koupe\s+(?:\w+\s+)?(?:rapel|alam|alet|mesaj)\w*",
    r"fini\s+(?:ak\s+)?(?:rapel\w*|alam|mesaj)\w*", r"pa\s+gen\s+(?:alam|rapel|mesaj)\w*",
    r"rete\s+(?:voye|raple)", r"pa\s+(?:voye|raple)", r"pa\s+ekri\s+(?:m|mwen)\b",
    r"pa\s+(?:vle|bezwen|janm)\s+(?:\w+\s+){0,2}(?:rapel\w*|mesaj|alet|alam)",
    # pt
    r"desativ\w*", r"desabilit\w*", r"desinscrev\w*", r"interromp\w*", r"remov\w*", r"nunca\s+mais",
    r"(?:desliga\w*|tir(?:a|ar|e|em)|encerr\w*|sai(?:r)?|deixa)\s+(?:\w+\s+){0,3}"
    r"(?:lembrete|lenbrete|alarme|aviso|alerta|mensage)\w*",
    r"chega\s+de", r"sem\s+(?:mais\s+)?(?:lembrete|alarme|aviso|alerta|mensage)\w*",
    r"para\s+com", r"parei", r"pare\s+de", r"deixa\s+de", r"acabar\s+com",
    r"nao\s+(?:me\s+)?(?:mande|manda|envie|envia|mandar|enviar|lembra|lembre)\w*",
    r"nao\s+(?:me\s+)?escreve\s+mais",
    r"nao\s+(?:quero|qro|quer)\s+(?:(?:mais|os|as|o|a|receber|nenhum|q|que|vc|voce|me)\s+){0,4}"
    r"(?:lembr|lembrete|aviso|alarme|mensage|alerta|ser\s+lembrad)\w*",
    r"(?:nao|ya\s+no|ja\s+nao)\s+(?:preciso|precisa|necesito)\s+(?:\w+\s+){0,3}?"
    r"(?:mais|lembr\w*|lembrete\w*|aviso\w*|mensag\w*|recordatorio\w*)",
    # "send nothing", in any of them
    r"(?:envoie|envoyez|manda|mande|send|voye)\s+(?:rien|nada|nothing|anyen)",
)
# An end in time: with a stop word, the stop is a pause.
_TEMPORARY = _alternatives(
    # en
    r"this\s+week(?:end)?", r"next\s+week", r"today", r"tonight", r"tomorrow", r"for\s+now",
    rf"for\s+(?:\d+|a\s+few|few|some|a\s+couple\s+of|{_COUNT_ALT})\s+(?:days?|weeks?)",
    r"for\s+a\s+(?:while|bit|month|week)", r"until", r"till", r"temporar\w*",
    # es
    r"esta\s+semana", r"este\s+fin", r"el\s+fin\s+de\s+semana", r"hoy", r"pasado\s+manana",
    rf"por\s+(?:esta|una|un|\d+|unos|algunos|{_COUNT_ALT})\s+(?:semanas?|dias?|mes)",
    r"unos\s+dias", r"algunos\s+dias", r"por\s+(?:un\s+)?(?:tiempo|rato)", r"por\s+ahora",
    r"hasta\s+(?:el|la|nuevo|q|que|manana|\w+es|domingo|sabado)", r"temporal\w*", r"mientras",
    # fr
    r"cette\s+semaine", r"ce\s+week-?\s?end", r"aujourd'?hui", r"demain", r"quelques\s+jours",
    r"pour\s+l'?instant", r"pour\s+le\s+moment", r"pendant", r"jusqu'?a", r"temporair\w*",
    rf"pour\s+(?:\d+|quelques|une|un|{_COUNT_ALT})\s+(?:jours?|semaines?|mois)",
    # ht
    r"semen\s+sa", r"wikenn?\s+sa", r"jodi\s*a", r"jodia", r"demen", r"kek\s+jou",
    rf"pou\s+(?:yon|\d+|kek|ke|{_COUNT_ALT})\s+(?:jou|semen|ti\s+tan|mwa)",
    r"pou\s+kounye\s+a", r"jiska", r"pandan",
    # pt
    r"essa\s+semana", r"esse\s+fim", r"hoje", r"amanha", r"uns\s+dias", r"alguns\s+dias",
    r"por\s+enquanto", r"por\s+um\s+tempo", r"enquanto",
    rf"por\s+(?:\d+|uns|alguns|uma|um|{_COUNT_ALT})\s+(?:dias?|semanas?)",
    r"ate\s+(?:a|o|segunda|terca|quarta|quinta|sexta|sabado|domingo|semana|amanha|eu)",
)
# Spanish "mañana" is tomorrow unless it is the morning ("de la mañana", "esta mañana").
_MANANA_TOMORROW = re.compile(
    r"(?<!de\sla\s)(?<!por\sla\s)(?<!en\sla\s)(?<!las\s)(?<!cada\s)(?<!esta\s)\bmanana\b"
)
# "Until further notice" has no end: with a stop word it is a stop, not a pause.
_UNTIL_FURTHER_NOTICE = _alternatives(
    r"(?:until|till|hasta|jusqu'?a|jiska|ate)\s+(?:further\s+notice|nuevo\s+aviso|nouvel\s+ordre"
    r"|nouvo\s+lod|novo\s+aviso|segunda\s+ordem)"
)
# "Not this week", "pas aujourd'hui": a pause without a stop word.
_NOT_TEMPORARY = _alternatives(
    r"(?:not|no|pas|nao|pa)\s+(?:this\s+week|today|tomorrow|esta\s+semana|hoy|cette\s+semaine"
    r"|aujourd'?hui|demain|semen\s+sa|jodi\s*a|demen|essa\s+semana|hoje|amanha)"
)
_RESUME = _alternatives(
    # en
    r"resume", r"resumes", r"restart\w*", r"start\s+(?:\w+\s+){0,3}again", r"begin\s+again",
    r"turn\s+(?:\w+\s+){0,2}back\s+on", r"unpaus\w*", r"un-pause", r"bring\s+(?:\w+\s+){0,2}back",
    rf"{_REMINDER_NOUN}\s+(?:\w+\s+)?(?:back(?!\s+(?:an?|one|\d|by|to|half)\b)|de\s+volta|tounen)",
    # es
    r"reanud\w*", r"retom\w*", r"sigue\s+(?:mandando|enviando)",
    r"(?:vuelv(?:e|as|an|a)|volver)\s+a\s+"
    r"(?:mandar|enviar|recordar|escribir|activar|empezar|avisar)\w*",
    r"reactiv(?:a|ar|ala|alo|alos|alas|en)", rf"reactiv\w*\s+(?:\w+\s+){{0,2}}{_REMINDER_NOUN}",
    r"continu\w*\s+(?:mandando|enviando|a\s+mandar|a\s+enviar|voye|raple"
    r"|con\s+los\s+(?:recordatorios|avisos))",
    # fr
    r"reprends", r"reprenez", rf"reprend\w*\s+(?:\w+\s+){{0,2}}{_REMINDER_NOUN}", r"recommenc\w*",
    r"relanc\w*", rf"renvo(?:ie|yer|yez|ies)\w*\s+(?:\w+\s+)?{_REMINDER_NOUN}",
    rf"remet\w*\s+(?:\w+\s+){{0,2}}{_REMINDER_NOUN}",
    # ht
    r"rekomans\w*", r"reaktive", r"relanse", r"reprann", r"remete",
    # pt
    r"volt\w*\s+(?:a\s+(?:mandar|enviar|lembrar|ativar|me)|com)", r"pode\s+voltar", r"recomec\w*",
    r"reativ\w*", r"despaus\w*",
    # "send ... again", "quiero otra vez los avisos", "m vle rapel yo anko"
    rf"{_SEND_VERB}\s+(?:\w+\s+){{0,3}}{_AGAIN}",
    rf"{_AGAIN}\s+(?:\w+\s+){{0,2}}{_SEND_VERB}",
    rf"{_AGAIN}\s+{_WANT}\s+(?:\w+\s+)?{_REMINDER_NOUN}",
    rf"{_WANT}\s+{_AGAIN}\s+(?:\w+\s+)?{_REMINDER_NOUN}",
    rf"{_WANT}\s+(?:\w+\s+){{0,2}}{_REMINDER_NOUN}\s+(?:\w+\s+)?{_AGAIN}",
)
# Before a resume phrase: "no vuelvas a mandarme" is a stop, "when to start again" is later.
_NEGATED = re.compile(
    r"\b(?:no|not|don'?t|do\s+not|never|nunca|jamais|ne|n'|pa|nao|janm|pas)\s+(?:\w+\s+){0,2}$"
)
_CONDITIONAL = re.compile(
    r"\b(?:when|cuando|quand|quando|until|till|hasta\s+que|jusqu'a\s+ce\s+que|jiskaske|ate\s+que)"
    r"\s+(?:\w+\s+){0,3}$"
)
_WEEKLY = _alternatives(
    # en
    r"once\s+(?:a|per|every)\s+week", r"one\s+time\s+(?:a|per)\s+week",
    r"1\s*(?:x|time)\s+(?:a|per)\s+week",
    r"every\s+week", r"each\s+week", r"weekly", r"per\s+week",
    # es
    r"una\s+vez\s+(?:a\s+la|por|por\s+la|cada|en\s+la|a)\s+semana",
    r"1\s*(?:x|vez)\s+(?:a\s+la|por|por\s+la)\s+semana",
    r"cada\s+semana", r"todas\s+las\s+semanas", r"semanal\w*", r"por\s+semana",
    # fr
    r"une\s+fois\s+par\s+semaine", r"1\s*(?:x|fois)\s+par\s+semaine", r"chaque\s+semaine",
    r"toutes\s+les\s+semaines", r"hebdo\w*", r"par\s+semaine",
    # ht
    r"chak\s+semen", r"yon\s+fwa\s+(?:pa|chak)\s+semen", r"1\s*fwa\s+pa\s+semen",
    r"pa\s+semen(?!\s+sa\b)",
    # pt
    r"uma\s+vez\s+(?:por|na|a\s+cada)\s+semana", r"1\s*(?:x|vez)\s+por\s+semana", r"toda\s+semana",
    r"todas\s+as\s+semanas", r"semanalmente", r"a\s+cada\s+semana",
)
# "Every Sunday ask me how I am" is the weekly check too.
_EVERY_NAMED_DAY = _alternatives(
    r"(?:every|each|cada|chaque|chak|todo|toda|todos\s+los|tous\s+les|todos\s+os|todas\s+as)\s+"
    rf"(?:{'|'.join(_DAY_NAMES)})"
)
_CHECK_IN = _alternatives(
    r"how\s+(?:i\s+am|im|i'm|are\s+you|i\s+feel|i'm\s+doing|im\s+doing|i\s+do)", r"check\s+(?:on|in)",
    r"como\s+(?:voy|estoy|me\s+siento|estas|me\s+va|eu\s+(?:to|estou)|estou|vai)", r"si\s+todo\s+bien",
    r"comment\s+(?:je\s+vais|ca\s+va|tu\s+vas|je\s+me\s+sens)", r"si\s+ca\s+va",
    r"de\s+mes\s+nouvelles",
    r"kijan", r"koman\s+m", r"si\s+tout\s+bagay",
    r"check\s+semanal", r"se\s+ta\s+tudo\s+bem", r"como\s+eu",
)


def parse_intent_cues(text: str) -> set[str]:
    """Words that change what a reminder request means: pause, resume, weekly, stop.

    A stop word with an end in time ("this week", "hoy", "pou 3 jou") is a pause; a
    negated "send again" ("no vuelvas a mandarme", "pa voye rapèl ankò") is a stop; a
    resume or pause in the same message wins over a stop. Quoted wording is left out
    ("pause thé" is a codeword, not a pause)."""
    folded = _blank(_UNTIL_FURTHER_NOTICE, _fold(_QUOTED.sub(" ", text or "")))
    cues: set[str] = set()
    stop = bool(_STOP.search(folded))
    for match in _RESUME.finditer(folded):
        before = folded[max(0, match.start() - 25) : match.start()]
        if _NEGATED.search(before):
            stop = True
        elif not _CONDITIONAL.search(before):
            cues.add("resume")
    temporary = bool(_TEMPORARY.search(folded) or _MANANA_TOMORROW.search(folded))
    if _PAUSE_WORD.search(folded) or _NOT_TEMPORARY.search(folded) or (stop and temporary):
        cues.add("pause")
    if _WEEKLY.search(folded) or (_EVERY_NAMED_DAY.search(folded) and _CHECK_IN.search(folded)):
        cues.add("weekly")
    if stop and not cues & {"pause", "resume"}:
        cues.add("stop")
    return cues


# --------------------------------------------------------------------------- pause length

_PAUSE_MAX_DAYS = 60
_PAST = re.compile(r"\b(?:hace|il\s+y\s+a|ha|faz|gen|depuis|since|desde)\s+$")
_AGO = re.compile(r"\s+(?:ago|atras|passados)\b")
_SPAN = re.compile(
    rf"""\b(?P<count>\d{{1,3}}|{_COUNT_ALT}|una|uma|une)\s+
    (?:(?P<days>dias?|days?|jours?|jou|journees?)|(?P<weeks>semanas?|weeks?|semaines?|semen)
     |(?P<months>mes(?:es)?|months?|mois|mwa))\b""",
    re.X,
)
_FEW_DAYS = _alternatives(
    r"unos(?:\s+cuantos)?\s+dias", r"algunos\s+dias", r"a\s+few\s+days", r"few\s+days", r"some\s+days",
    r"quelques\s+jours", r"kek\s+jou", r"ke\s+jou", r"uns\s+dias", r"alguns\s+dias",
)
_COUPLE_DAYS = _alternatives(r"un\s+par\s+de\s+dias", r"a\s+couple\s+(?:of\s+)?days", r"couple\s+days")
_TODAY = _alternatives(
    r"today", r"tonight", r"hoy", r"aujourd'?hui", r"aujourdhui", r"jodi\s*a", r"jodia", r"hoje",
    r"esta\s+noche", r"ce\s+soir",
)
_TOMORROW = _alternatives(r"tomorrow", r"demain", r"demen", r"amanha")
_DAY_AFTER_TOMORROW = _alternatives(
    r"pasado\s+manana", r"day\s+after\s+tomorrow", r"apres-?\s?demain", r"apre\s+demen",
    r"depois\s+de\s+amanha",
)


def pause_days(text: str) -> int:
    """How many days a pause lasts, counting today: 7 unless the person says otherwise.

    "por 3 días" → 3, "for 2 weeks" → 14, "hoy" → 1, "mañana"/"demain" → 2 (today
    and tomorrow; Spanish "de la mañana" is the morning, not tomorrow), capped at 60."""
    folded = _fold(text or "")
    days = _spoken_span(folded)
    if days is None:
        if _FEW_DAYS.search(folded):
            days = 3
        elif _COUPLE_DAYS.search(folded):
            days = 2
        elif _DAY_AFTER_TOMORROW.search(folded):
            days = 3
        elif _TOMORROW.search(folded) or _MANANA_TOMORROW.search(folded):
            days = 2
        elif _TODAY.search(folded):
            days = 1
        else:
            days = 7
    return max(1, min(days, _PAUSE_MAX_DAYS))


def _spoken_span(folded: str) -> int | None:
    """Days in "3 dias", "dos semanas", "un mes"; spans in the past ("hace 3 dias") are skipped."""
    for match in _SPAN.finditer(folded):
        if _PAST.search(folded[max(0, match.start() - 14) : match.start()]):
            continue
        if _AGO.match(folded, match.end()):
            continue
        raw = match.group("count")
        if raw == "de" and not match.group().endswith(("jou", "semen")):
            continue  # Haitian "de jou" is two days; "fin de semana" is not
        count = int(raw) if raw.isdigit() else _COUNT_WORDS.get(raw, 1)
        if match.group("weeks"):
            return count * 7
        if match.group("months"):
            return count * 30
        return count
    return None
