"""What each number of each SMS menu means. The texts of the menus are in the catalogs
(service_directory/messages.py) and must list the same order."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

MAIN_MENU: List[str] = [
    "find_service", "ask_rights", "ask_cost", "ask_documents",
    "ask_confidentiality", "talk_to_human", "choose_language",
]
LANGUAGE_MENU: List[str] = ["en", "es", "fr", "ht", "pt"]
SERVICE_TYPE_MENU: List[str] = [
    "hiv_testing", "hiv_treatment", "prep", "pep", "tb_testing", "sti_testing",
    "contraception", "prenatal_care", "gbv_care", "mental_health",
]
COUNTRY_MENU: List[str] = ["co", "pe", "ec", "br", "cl", "tt", "gy", "do", "pa", "mx"]
SITUATION_MENU: List[str] = ["regular", "irregular", "asylum_seeker", "pregnant", "minor"]
# `transit` is spotted in what she writes ("voy de paso"), not offered in the menu.
REPORT_OPTION = "0"  # never a list number, whatever the page

SERVICE_TYPES = set(SERVICE_TYPE_MENU) | {"tb_treatment"}
# Entitlements also answer about emergency care, which the directory does not list.
ENTITLEMENT_SERVICE_TYPES = SERVICE_TYPES | {"emergency_care"}


def pick(menu: List[Any], option: Optional[str]) -> Optional[Any]:
    """The menu entry for a 1-based option number, or None when it is not one."""
    if option is None or not str(option).isdigit():
        return None
    index = int(option) - 1
    return menu[index] if 0 <= index < len(menu) else None


def topic_of_intent(intent: Optional[str]) -> str:
    return {"ask_cost": "cost", "ask_documents": "documents",
            "ask_confidentiality": "confidentiality"}.get(intent or "", "rights")


INTENT_OF_TOPIC: Dict[str, str] = {
    "rights": "ask_rights", "cost": "ask_cost", "documents": "ask_documents",
    "confidentiality": "ask_confidentiality",
}

# "I have no papers", as people write it: a hint used for this message only (the
# text itself is never stored), so search asks for services that serve undocumented
# people free of charge and the rights answer fits an irregular status.
_NO_PAPERS = re.compile(
    r"(no|sin|ni) (tengo |tenemos )?(papeles|documentos|papel|permiso|pasaporte)"
    r"|indocumentad|irregular|undocumented|no (papers|documents|id)\b|without (papers|documents)"
    r"|sans[ -]papiers|pas de papiers|je n.?ai pas de papiers"
    r"|pa (gen|genyen) (papye|dokiman|paspò)|san papye"
    r"|sem (documentos|papeis|papéis)|nao tenho (documentos|papeis)|não tenho (documentos|papéis|papeis)",
    re.IGNORECASE,
)


def situation_hint(text: Optional[str]) -> Optional[str]:
    """"irregular" when the message says the person has no papers, else None."""
    return "irregular" if text and _NO_PAPERS.search(text) else None
