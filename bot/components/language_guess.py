"""Pure language guessing (no Rasa imports), so it can be unit-tested and benchmarked.

py3langid knows Haitian Creole and runs offline with its model inside the wheel, but
on short SMS it is swayed by place names ("m nan Estación Central" → es, "je vis à
São Paulo" → pt) and by shared loanwords ("kisa pou m montre lopital la" → fr). Two
light additions, measured on the training texts (README "Understanding"):

- capitalised words after the first (mostly place names) are left out of what
  py3langid reads;
- a list of short function words that belong to one of the five languages only
  (DISTINCTIVE_WORDS) votes; a clear vote decides, and a guess that the vote
  contradicts is dropped.

Texts too short to say anything ("ok", "si", "1", "no") still give no guess, so they
never flip the language.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, Optional, Tuple

LANGUAGES = ("en", "es", "fr", "ht", "pt")

# Short words that are a language on their own, for first contact ("hola" → es).
# Only words that are unambiguous among the five languages belong here.
GREETING_LEXICON = {
    "hello": "en", "hi": "en", "hey": "en", "good morning": "en", "english": "en",
    "good evening": "en", "good afternoon": "en", "thanks": "en", "thank you": "en",
    "hola": "es", "buenas": "es", "buenos dias": "es", "buenas tardes": "es",
    "buenas noches": "es", "espanol": "es", "ola": "pt", "gracias": "es",
    "bonjour": "fr", "salut": "fr", "bonsoir": "fr", "francais": "fr", "merci": "fr",
    "bonjou": "ht", "bonswa": "ht", "sak pase": "ht", "sakpase": "ht", "kreyol": "ht",
    "ki jan ou ye": "ht", "mesi": "ht", "mesi anpil": "ht",
    "oi": "pt", "bom dia": "pt", "boa tarde": "pt", "obrigado": "pt", "obrigada": "pt",
    "boa noite": "pt", "portugues": "pt", "tudo bem": "pt",
}

# Function words and SMS forms (accents folded) that, among these five languages,
# belong to one only. Words shared by two ("la", "no", "que", "me", "de", "ou",
# "pa", "mais", "tu", "si") are deliberately absent.
DISTINCTIVE_WORDS: Dict[str, frozenset] = {
    "en": frozenset(
        "i im you u to for in my the is are was do does dont can cant where what how much need "
        "want have get will would with without and it its this that they them please "
        "pls thanks am not of at my your who when why there here someone anyone "
        "someone took remind stop change".split()),
    "es": frozenset(
        "el los las del y con una estoy toy soy tengo necesito donde dnd cuanto "
        "cuesta quiero puedo hay ya pero muy eso esta este mis hacer hago dan "
        "porfa xfa gracias usted ustedes q xq pq aca ahorita recuerdame cambia "
        "borra mañana manana noche hoy nada nadie alguien tambien tb mas lo le "
        "ella ellos van voy fui algo eres mucho".split()),
    "fr": frozenset(
        "je j il elle nous vous est c suis pas ne les des du le une mon ma "
        "mes pour avec sans qui quoi comment combien cb merci svp stp oui peux veux "
        "faut fait ai au aux dans chez ca moi toi quelqu aujourd hui demain soir "
        "rappel rappelle plus bien tres etre avoir faire vais va on ils quel quelle "
        "sont veut leur".split()),
    "ht": frozenset(
        "mwen m nou yo li nan pou kote ki kisa kijan konbyen gen genyen fe ak ap "
        "pral prale vle bezwen tanpri anpil kounye yon rete bay jwenn sou lopital "
        "grenn tes papye dwa peye kob tretman rapel raple efase chanje anko toujou "
        "poko fenk sot ayisyen mennaj ede pale ekri konnen fanmi travay mwa semen "
        "pwochen demen jodi swa maten dimaten diswa epi moun kenbe done enfomasyon "
        "bagay isit lot pito wi dako peyi ale ke lajan manje".split()),
    "pt": frozenset(
        "voce vc vcs nao tem tenho preciso onde quanto quero posso estou os ao pra "
        "pro com uma do da dos das na em meu minha meus minhas obrigado obrigada "
        "obg isso hoje ja fazer faz remedio lembrete lembra sou agora amanha noite "
        "gente ele ela eu vou vai pelo pela posto tambem muito voltar dar vao "
        "nada ninguem alguem valeu tchau".split()),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CAPITALISED = re.compile(r"(?<=\s)[A-ZÀ-Ý][a-zà-ÿ]+(?:\s+(?:de|del|do|da|dos|los|las|la|of)?\s*[A-ZÀ-Ý][a-zà-ÿ]+)*")


def _fold(text: str) -> str:
    """Lower case without accents or punctuation, for lexicon look-ups."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


# Accented SMS words that folding would confuse with another language's word
# ("tô" is not "to"), and letters that only one of the five languages writes.
DISTINCTIVE_ACCENTED = {"tô": "pt", "tá": "pt", "é": "pt", "não": "pt", "às": "pt"}
DISTINCTIVE_LETTERS = {"ò": "ht", "ã": "pt", "õ": "pt", "ñ": "es"}


def distinctive_votes(text: str) -> Dict[str, int]:
    """How many words of the text belong to each language's DISTINCTIVE_WORDS."""
    raw = _WORD.findall(unicodedata.normalize("NFC", text))
    votes = dict.fromkeys(LANGUAGES, 0)
    for position, original in enumerate(raw):
        word, folded = original.lower(), _fold(original)
        place_like = position > 0 and original[0].isupper()  # "São Paulo", "Cúcuta"
        accented = DISTINCTIVE_ACCENTED.get(word) or (None if place_like else next(
            (code for letter, code in DISTINCTIVE_LETTERS.items() if letter in word), None))
        if accented:
            votes[accented] += 1
            continue
        for code in LANGUAGES:
            votes[code] += folded in DISTINCTIVE_WORDS[code]
    return votes


def _clear_vote(votes: Dict[str, int], margin: int) -> Optional[str]:
    ranked = sorted(votes.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= margin and top - second >= margin else None


def guess_language(
    text: str,
    min_letters: int = 10,
    min_words: int = 2,
    min_probability: float = 0.8,
    vote_margin: int = 1,
) -> Optional[Tuple[str, float]]:
    """(code, probability) when the text says its language clearly, else None."""
    folded = _fold(text)
    if folded in GREETING_LEXICON:
        return GREETING_LEXICON[folded], 1.0
    words = folded.split()
    if len(words) < min_words or sum(len(w) for w in words) < min_letters:
        return None
    votes = distinctive_votes(text)
    voted = _clear_vote(votes, vote_margin)
    if voted:
        return voted, 0.95
    without_places = _CAPITALISED.sub(" ", f" {text}").strip()
    if len(_fold(without_places)) < min_letters:
        return None
    code, probability = _identifier().classify(without_places)
    if probability < min_probability or votes[code] < max(votes.values()):
        return None
    return code, float(probability)
