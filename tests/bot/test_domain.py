"""Every response in the domain is used, and every one has a text in the catalogs."""
import ast
from pathlib import Path

import yaml

BOT = Path(__file__).resolve().parents[2] / "bot"
APP = BOT.parent / "service_directory"


def _domain() -> dict:
    merged: dict = {"responses": {}, "forms": {}}
    for path in (BOT / "domain").glob("*.yml"):
        content = yaml.safe_load(path.read_text()) or {}
        for key in merged:
            merged[key].update(content.get(key) or {})
    return merged


def _asked_by_forms() -> set[str]:
    """Forms ask for slot X with the response `utter_ask_X`."""
    return {f"utter_ask_{slot}" for form in _domain()["forms"].values()
            for slot in form.get("required_slots", [])}


def _utter_names_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith("utter_")}


def test_every_response_is_sent_by_a_rule_story_form_or_action():
    texts = "".join(p.read_text() for p in (BOT / "data").rglob("*.yml"))
    texts += "".join(p.read_text() for p in (BOT / "actions").rglob("*.py"))
    unused = sorted(name for name in _domain()["responses"]
                    if name not in texts and name not in _asked_by_forms())
    assert unused == []


def test_every_response_has_a_catalog_message_or_a_composer():
    rendered = _utter_names_in(APP / "messages.py") | _utter_names_in(APP / "compose.py")
    assert set(_domain()["responses"]) - rendered == set()
