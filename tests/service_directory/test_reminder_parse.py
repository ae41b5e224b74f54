"""Reading reminder requests as people text them: tables per language, no database.

Every row is a whole message the way it arrives (misspelt, unaccented, mixed
languages, long), and what `service_directory.reminders.parse` must read from it.
"""
from __future__ import annotations

import pytest

from service_directory.reminders.parse import (
    TimeOfDay,
    parse_codeword,
    parse_days,
    parse_intent_cues,
    parse_time,
    pause_days,
)


def hhmm(found: TimeOfDay | None) -> str | None:
    return None if found is None else f"{found.hour:02d}:{found.minute:02d}"


# --------------------------------------------------------------------------- times

SPANISH_TIMES = [
    ("a las 8 de la noche", "20:00"),
    ("a las 8 de la mañana", "08:00"),
    ("a las 8 de la manana", "08:00"),
    ("a las 3 de la tarde", "15:00"),
    ("tomo a las 3 tarde", "15:00"),
    ("a las 8 y media", "08:30"),
    ("a las 8", "08:00"),
    ("a las 9 y cuarto", "09:15"),
    ("a las 9 menos cuarto", "08:45"),
    ("recuerdame la pastilla al mediodía", "12:00"),
    ("al mediodia porfa", "12:00"),
    ("a medianoche", "00:00"),
    ("alas 9pm", "21:00"),
    ("a las 10 d la noche", "22:00"),
    ("recuerdame diario porfa a las 9 de la noch", "21:00"),
    ("como a las 10", "10:00"),
    ("a eso de las 9", "09:00"),
    ("a las 20.00", "20:00"),
    ("recuérdame a las 20:00", "20:00"),
    ("avisame a las 21h porfa", "21:00"),
    ("a las 8 y 15", "08:15"),
    ("a las ocho de la noche", "20:00"),
    ("a la una de la tarde", "13:00"),
    ("a las once", "11:00"),
    ("a las 12 de la noche", "00:00"),
    ("a las 2 de la noche", "02:00"),  # night words keep 1-3 in the small hours
    ("a las 5 de la madrugada", "05:00"),
    ("todas las noches a las 9", "21:00"),
    ("puedes avisarme cada noche a las 11", "23:00"),
    ("me puedes escribir cada mañana a las 6", "06:00"),
    ("cambia el aviso pa las 8 y media", "08:30"),
    (
        "hola soy venezolana estoy en lima, tomo mis pastillas a las 9 de la noche y siempre "
        "se me olvida, me puedes avisar?",
        "21:00",
    ),
    (
        "hola, mira, siempre se me olvida tomarme la pastilla cuando llego cansada del trabajo, "
        "me podrias mandar un mensajito todos los dias a las 9 de la noche que no diga nada de "
        "medicinas?",
        "21:00",
    ),
    (
        "buenas noches, tengo 3 hijos y trabajo en Bogotá desde hace 2 años, necesito que me "
        "recuerdes los retrovirales a las 7 de la mañana antes de salir",
        "07:00",
    ),
    ("desde mañana escribeme a las 9 de la noche en vez de a las 8", "21:00"),
    ("ya no a las 8, mejor a las 9", "09:00"),
    ("cambia la alarma de las 7 a las 8", "08:00"),
    ("me levanto a las 6 y la pastilla me la tomo a las 10 de la noche", "22:00"),
]

ENGLISH_TIMES = [
    ("8pm", "20:00"),
    ("8 pm", "20:00"),
    ("8p.m.", "20:00"),
    ("8:30pm", "20:30"),
    ("9:15 pm", "21:15"),
    ("7 am pls", "07:00"),
    ("at 8 in the evening", "20:00"),
    ("8 at night", "20:00"),
    ("9 at nite", "21:00"),
    ("8 in the morning", "08:00"),
    ("6 in the mornin", "06:00"),
    ("at noon", "12:00"),
    ("midnight", "00:00"),
    ("around 9ish", "09:00"),
    ("12am", "00:00"),
    ("12pm", "12:00"),
    ("at half past eight", "08:30"),
    ("quarter to ten", "09:45"),
    ("can u txt me daily at 8 oclock so i dont forget", "08:00"),
    ("at eight pm", "20:00"),
    ("at 3 in the afternoon", "15:00"),
    ("pls remind me evry nite at 10 to take my pils", "22:00"),
    ("remind me at 7 am", "07:00"),
    ("can u make it 6 am instead of 8", "06:00"),
    ("not at 8 anymore, make it 9", "09:00"),
    ("necesito reminder at 9 for my meds", "09:00"),
    (
        "hey so i keep forgetting my pill at night because i fall asleep right after work, could "
        "you send me something discreet every day around 8:30 pm? nothing that says hiv please",
        "20:30",
    ),
    (
        "hi im from venezuela, been in port of spain 3 months, i have 2 kids and i take 1 pill "
        "daily, can you remind me at 10 in the evening",
        "22:00",
    ),
]

FRENCH_TIMES = [
    ("20h", "20:00"),
    ("à 21h", "21:00"),
    ("à 20h", "20:00"),
    ("20h30", "20:30"),
    ("21h15", "21:15"),
    ("8h du soir", "20:00"),
    ("8 heures du matin", "08:00"),
    ("a 7h du matin", "07:00"),
    ("mets moi un rappel a 7h du mat", "07:00"),
    ("vers 22h", "22:00"),
    ("à 9h30", "09:30"),
    ("a midi", "12:00"),
    ("à minuit", "00:00"),
    ("huit heures du soir", "20:00"),
    ("à 3h de l'après-midi", "15:00"),
    ("8h30 du soir", "20:30"),
    ("à 9 heures et demie", "09:30"),
    ("un msg chaque soir vers 10h stp", "22:00"),
    ("tu peux m'envoyer un msg tous les soirs a 9h pour mes cachets", "21:00"),
    ("le rappel a 8h c trop tard, plutot a 6h", "06:00"),
    ("je veux le rappel a 22h au lieu de 20h", "22:00"),
    ("le rappel de 8h me va pas, mets 10h", "10:00"),
    (
        "salut, je prends mon traitement le soir mais avec le boulot j'oublie souvent, tu peux "
        "m'envoyer un petit message discret tous les jours vers 21h? personne doit comprendre",
        "21:00",
    ),
    (
        "bonsoir, je suis haïtienne, j'habite à Cayenne depuis 2 ans avec mes 3 enfants, "
        "rappelle-moi à 7h30 le matin stp",
        "07:30",
    ),
]

HAITIAN_TIMES = [
    ("8è di swa", "20:00"),
    ("8e diswa", "20:00"),
    ("8 è nan aswè", "20:00"),
    ("a 8 è di swa", "20:00"),
    ("7è di maten", "07:00"),
    ("7e nan maten", "07:00"),
    ("10è", "10:00"),
    ("a 9è", "09:00"),
    ("9è diswa", "21:00"),
    ("7h dimaten", "07:00"),
    ("10 è di swa", "22:00"),
    ("vè 8è", "08:00"),
    ("6è edmi dimaten", "06:30"),
    ("ekri m chak jou a 8è edmi diswa", "20:30"),
    ("raple m grenn nan a midi", "12:00"),
    ("a minwi", "00:00"),
    ("ou ka raple m chak swa a 11è", "23:00"),
    ("a 2è nan apremidi", "14:00"),
    ("a uit è di swa", "20:00"),
    ("olye 8è, voye l a 9è edmi", "09:30"),
    ("rapèl 8è a pa bon pou mwen, mete 10è", "10:00"),
    ("pito voye rapel la 7è diswa", "19:00"),
    (
        "bonswa, m ap travay lannwit e m toujou bliye pran grenn mwen, eske ou ka voye yon ti "
        "mesaj diskrè ban mwen chak jou a 7è dimaten lè m fin travay? pa mete anyen sou maladi a",
        "07:00",
    ),
    (
        "m se ayisyen m nan Santo Domingo depi 2 lane, m gen 3 pitit, raple m pran 2 grenn mwen "
        "a 9è nan aswè tanpri",
        "21:00",
    ),
]

PORTUGUESE_TIMES = [
    ("às 21h", "21:00"),
    ("as 21h", "21:00"),
    ("às 9 da noite", "21:00"),
    ("as 8 da noite", "20:00"),
    ("9 da manhã", "09:00"),
    ("8 da manha", "08:00"),
    ("às 7 da manhã", "07:00"),
    ("meio-dia", "12:00"),
    ("ao meio dia", "12:00"),
    ("meia-noite", "00:00"),
    ("meio-dia e meia", "12:30"),
    ("lá pelas 10 da noite", "22:00"),
    ("umas 9 da noite", "21:00"),
    ("às 22h30", "22:30"),
    ("às 9 e meia", "09:30"),
    ("às 8 e 30", "08:30"),
    ("às oito da noite", "20:00"),
    ("às 3 da tarde", "15:00"),
    ("a partir de amanha manda às 9", "09:00"),
    ("em vez de 8h, manda às 9h", "09:00"),
    ("o lembrete das 8h não dá, coloca às 10h", "10:00"),
    (
        "oi, eu trabalho de diarista e chego em casa muito cansada, ai acabo dormindo sem tomar "
        "o remedio. da pra vc me mandar uma msg todo dia às 20h sem falar nada de remedio?",
        "20:00",
    ),
    (
        "sou venezuelana, to em Boa Vista faz 4 meses, tomo 2 comprimidos por dia, me lembra às "
        "9 da noite pfv",
        "21:00",
    ),
]

NOT_TIMES = [
    "tomo 2 pastillas",
    "hace 3 dias que no la tomo",
    "call 911",
    "el 15 de mayo tengo cita",
    "I have 3 kids",
    "25h",
    "8:75",
    "me cuesta $20.00",
    "tengo 20.00 soles",
    "cita el 20.05.2024",
    "el 15/05",
    "mi numero es +57 300 1234567",
    "tomo 2 en la noche",
    "take 2 at night",
    "cada 8 horas",
    "chak 8è",
    "pran 2e dòz la",
    "dormi 8 horas",
    "me quedé 3 noches en el albergue",
    "once a week",
    "do it at once",
    "una en la mañana y otra en la noche",
    "decale mon rappel d'une heure plus tard",
    "c possible de decaler l'alerte a une autre heure",
    "tomo 1.5 pastillas",
    "quiero un recordatorio para mis pastillas",
    "",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    SPANISH_TIMES + ENGLISH_TIMES + FRENCH_TIMES + HAITIAN_TIMES + PORTUGUESE_TIMES,
)
def test_time_of_day_is_read(text, expected):
    assert hhmm(parse_time(text)) == expected


@pytest.mark.parametrize("text", NOT_TIMES)
def test_doses_counts_dates_and_phones_are_not_times(text):
    assert parse_time(text) is None


def test_every_language_has_at_least_fifteen_time_cases():
    for table in (SPANISH_TIMES, ENGLISH_TIMES, FRENCH_TIMES, HAITIAN_TIMES, PORTUGUESE_TIMES):
        assert len(table) >= 15


def test_time_of_day_is_a_frozen_value():
    found = parse_time("8pm")
    assert found == TimeOfDay(20, 0)
    with pytest.raises(AttributeError):
        found.hour = 9  # type: ignore[misc]


# --------------------------------------------------------------------------- days

ALL = frozenset(range(7))
WEEKDAYS = frozenset(range(5))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every day", ALL),
        ("remind me daily at 8", ALL),
        ("todos los días a las 9", ALL),
        ("recordatorio diario", ALL),
        ("tous les jours", ALL),
        ("chak jou a 8è", ALL),
        ("todo dia às 20h", ALL),
        ("weekdays only", WEEKDAYS),
        ("de lunes a viernes", WEEKDAYS),
        ("lun a vie a las 7", WEEKDAYS),
        ("du lundi au vendredi", WEEKDAYS),
        ("lendi rive vandredi", WEEKDAYS),
        ("de segunda a sexta", WEEKDAYS),
        ("solo dias de semana", WEEKDAYS),
        ("todos los dias de semana", WEEKDAYS),
        ("mon-fri", WEEKDAYS),
        ("desde el lunes hasta el viernes", WEEKDAYS),
        ("los lunes y jueves", frozenset({0, 3})),
        ("mondays", frozenset({0})),
        ("lendi", frozenset({0})),
        ("mardi et jeudi", frozenset({1, 3})),
        ("segunda e quarta", frozenset({0, 2})),
        ("segunda-feira", frozenset({0})),
        ("terca e sexta", frozenset({1, 4})),
        ("el sábado", frozenset({5})),
        ("sabado y domingo", frozenset({5, 6})),
        ("miercoles", frozenset({2})),
        ("mecredi", frozenset({2})),
        ("madi ak jedi", frozenset({1, 3})),
        ("vandredi", frozenset({4})),
        ("samdi", frozenset({5})),
        ("dimanch", frozenset({6})),
        ("wensday and saterday", frozenset({2, 5})),
        ("los fines de semana", frozenset({5, 6})),
        ("de viernes a lunes", frozenset({4, 5, 6, 0})),
        ("todos los dias menos el domingo", ALL - {6}),
        ("every day except sunday", ALL - {6}),
        ("tous les jours sauf le samedi et le dimanche", WEEKDAYS),
        ("mete rapel la dimanch olye samdi", frozenset({6})),
        ("segunda dose na quinta", frozenset({3})),
    ],
)
def test_days_are_read(text, expected):
    assert parse_days(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a las 8 de la noche",
        "la segunda pastilla",
        "vivo en santo domingo",
        "hold the reminders till monday",
        "a partir de lundi envoie le à 7h",
        "bòn fen semèn",
        "buenos dias, quiero un recordatorio",
        "",
    ],
)
def test_no_day_named_means_none(text):
    assert parse_days(text) is None


# --------------------------------------------------------------------------- codeword

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('que diga "hora del café"', "hora del café"),
        ("“coffee”", "coffee"),
        ("«café»", "café"),
        ("que diga hora del Café a las 8", "hora del Café"),
        ("que el mensaje diga vitaminas", "vitaminas"),
        ("quiero recordatorio pero q diga solo vitaminas", "vitaminas"),
        ("con la palabra agua por favor", "agua"),
        ("que no diga pastilla, que diga \"tomar agua\"", "tomar agua"),
        ("escribe 'cita con la vecina' en el mensaje", "cita con la vecina"),
        ("say coffee time at 8pm", "coffee time"),
        ("i want a text every day that just says hi", "hi"),
        ("with the word tea please", "tea"),
        ("the reminder should say gym and nothing else", "gym"),
        ("write 'breakfast' in the text, not the pill", "breakfast"),
        ("qui dit juste \"c l'heure\"", "c l'heure"),
        ("avec le mot bisous", "bisous"),
        ("écris Bisous", "Bisous"),
        ('utilise mes mots : "pause thé"', "pause thé"),
        ("ki di lè kafe", "lè kafe"),
        ("ekri lè te", "lè te"),
        ("ak mo kafe", "kafe"),
        ('pa ekri medikaman, ekri "lè te"', "lè te"),
        ("que fale bom dia", "bom dia"),
        ("escreva Bom Dia Flor", "Bom Dia Flor"),
        ("com a palavra flor", "flor"),
        ('quero que o lembrete diga so "café"', "café"),
        (
            "que diga una frase muy larga que no cabe en cuarenta caracteres para nada",
            "una frase muy larga que no cabe en",
        ),
    ],
)
def test_codeword_is_read_as_written(text, expected):
    assert parse_codeword(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "remind me everyday, nothing that says meds",
        "quiero un recordatorio pero q no diga nada de vih",
        "je veux un rappel qui dit rien sur le vih",
        "m vle yon rapèl ki pa di anyen sou vih",
        'say "8pm"',
        "que diga lunes",
        "say 8pm every day",
        "ekri m a 10è dimaten pou m sonje",
        "escribeme a las 10am",
        "pls write in english i dont read spanish",
        "je t'ecris demain",
        "I don't know, it's fine",
        "a las 8 de la noche",
        "",
    ],
)
def test_no_codeword(text):
    assert parse_codeword(text) is None


def test_codeword_is_at_most_forty_characters():
    found = parse_codeword("que diga " + "palabra " * 20)
    assert found is not None and len(found) <= 40 and not found.endswith(" ")


# --------------------------------------------------------------------------- intents

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pause: a stop with an end
        ("no reminders this week", {"pause"}),
        ("pause", {"pause"}),
        ("stop the reminders just for this week", {"pause"}),
        ("no me mandes esta semana", {"pause"}),
        ("pausa", {"pause"}),
        ("suspende por unos dias", {"pause"}),
        ("mañana no me mandes el aviso porfa", {"pause"}),
        ("pas cette semaine", {"pause"}),
        ("mets en pause", {"pause"}),
        ("pas de rappels ce week end stp", {"pause"}),
        ("pa voye semèn sa", {"pause"}),
        ("kanpe pou yon semèn", {"pause"}),
        ("poze rapèl yo jiska lendi", {"pause"}),
        ("pausar", {"pause"}),
        ("não mande essa semana", {"pause"}),
        ("pause it for now, ill tell u when to start again", {"pause"}),
        # resume
        ("resume", {"resume"}),
        ("start again", {"resume"}),
        ("im back, turn the reminders back on", {"resume"}),
        ("reanuda", {"resume"}),
        ("vuelve a mandarme", {"resume"}),
        ("activa de nuevo", {"resume"}),
        ("reprends", {"resume"}),
        ("recommence", {"resume"}),
        ("rekòmanse", {"resume"}),
        ("voye ankò", {"resume"}),
        ("m vle rapèl yo ankò", {"resume"}),
        ("retomar", {"resume"}),
        ("volta a mandar", {"resume"}),
        # weekly
        ("once a week", {"weekly"}),
        ("every week ask me how I am", {"weekly"}),
        ("every sunday ask how i feel", {"weekly"}),
        ("una vez por semana", {"weekly"}),
        ("cada semana", {"weekly"}),
        ("chaque semaine", {"weekly"}),
        ("une fois par semaine", {"weekly"}),
        ("chak semèn", {"weekly"}),
        ("yon fwa pa semèn", {"weekly"}),
        ("uma vez por semana", {"weekly"}),
        ("toda semana", {"weekly"}),
        # stop
        ("stop the reminders", {"stop"}),
        ("ya no quiero recordatorios", {"stop"}),
        ("cancela", {"stop"}),
        ("no vuelvas a mandarme", {"stop"}),
        ("arrête les rappels", {"stop"}),
        ("pa voye rapèl ankò", {"stop"}),
        ("m pa vle rapèl ankò", {"stop"}),
        ("não quero mais lembretes", {"stop"}),
        ("cancelar", {"stop"}),
        # nothing
        ("recuerdame a las 8 de la noche", set()),
        ("se me olvidó otra vez, recuérdame a las 9", set()),
        ("quiero un recordatorio pero q no diga nada de vih", set()),
        ("pa bliye raple m pran grenn mwen", set()),
        ('utilise mes mots : "pause thé"', set()),
        ("cambia el aviso pa las 8 y media", set()),
        ("toda la semana me siento mal", set()),
        ("", set()),
    ],
)
def test_intent_cues(text, expected):
    assert parse_intent_cues(text) == expected


# --------------------------------------------------------------------------- pause length

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no reminders this week", 7),
        ("pausa", 7),
        ("pausa por 3 días", 3),
        ("pause for 3 days", 3),
        ("pause pendant 3 jours", 3),
        ("kanpe pou 3 jou", 3),
        ("pausa por 3 dias", 3),
        ("pa voye pou de jou", 2),
        ("pausa dos dias", 2),
        ("take a break from the reminders for 2 weeks", 14),
        ("pa voye rapel pandan 2 semèn", 14),
        ("pause for a month", 30),
        ("suspende por unos dias", 3),
        ("suspends les rappels quelques jours", 3),
        ("hoy no me mandes", 1),
        ("not today", 1),
        ("pas aujourd'hui", 1),
        ("pa voye jodi a", 1),
        ("hoje não", 1),
        ("mañana no me mandes el aviso", 2),
        ("pas de message demain stp", 2),
        ("demen pa voye rapèl la", 2),
        ("amanhã não manda", 2),
        ("no reminder tomorrow pls", 2),
        ("pa voye m anyen jodi a ak demen", 2),
        ("a las 8 de la mañana no", 7),  # the morning, not tomorrow
        ("no me mandes nada por la mañana", 7),
        ("pasado mañana vuelvo, pausa", 3),
        ("hace 3 dias que no tomo, pausa por 2 dias", 2),
        ("no me escribas el fin de semana", 7),
        ("pausa por 100 dias", 60),
        ("pause for 0 days", 1),
    ],
)
def test_pause_days(text, expected):
    assert pause_days(text) == expected
