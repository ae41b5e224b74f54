"""Every response in the domain is used: by a rule or story, or sent by an action."""
from pathlib import Path

import yaml

BOT = Path(__file__).resolve().parents[2] / "bot"


def _domain_responses() -> set[str]:
    names: set[str] = set()
    for path in (BOT / "domain").glob("*.yml"):
        names |= set((yaml.safe_load(path.read_text()) or {}).get("responses", {}))
    return names


def test_every_response_is_sent_by_a_rule_story_or_action():
    texts = "".join(p.read_text() for p in (BOT / "data").rglob("*.yml"))
    texts += "".join(p.read_text() for p in (BOT / "actions").rglob("*.py"))
    unused = sorted(name for name in _domain_responses() if name not in texts)
    assert unused == []


def test_every_response_has_a_catalog_message():
    import ast

    source = (BOT.parent / "service_directory" / "messages.py").read_text()
    tree = ast.parse(source)
    keys = {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value.startswith("utter_")}
    assert _domain_responses() <= keys
