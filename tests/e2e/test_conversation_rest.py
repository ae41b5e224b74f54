"""Conversations with the running stack over Rasa's REST channel, in five languages."""
import pytest

pytestmark = pytest.mark.e2e

GREETINGS = {
    "en": ("hello", "Hi, this is Puente"),
    "es": ("hola", "Hola, soy Puente"),
    "fr": ("bonjour", "Bonjour, ici Puente"),
    "ht": ("bonjou", "Bonjou, se Puente"),
    "pt": ("olá", "Olá, aqui é o Puente"),
}


@pytest.mark.parametrize("language", sorted(GREETINGS))
def test_first_contact_is_welcomed_in_the_detected_language(stack, sender, language):
    text, welcome = GREETINGS[language]
    replies = stack.rest(sender, text)
    assert replies and replies[0].startswith(welcome)
    assert "Kreyòl" in replies[-1]  # the way to change language comes with it


def test_naming_a_language_switches_and_short_replies_do_not(stack, sender):
    stack.rest(sender, "hola")
    assert stack.rest(sender, "kreyol") == ["Dakò, m ap ekri w an kreyòl."]
    assert stack.rest(sender, "mesi")[0] == "Pa gen pwoblèm. Ekri m nenpòt lè."
    assert stack.rest(sender, "ok")  # answered, and still in Kreyòl
    assert stack.rest(sender, "menu")[0].startswith("Reponn ak yon nimewo")
