"""The SMS channel (`twilio_sms`): GSM-7 text, at most 3 segments, paged with MORE.

In bot/credentials.yml as `connectors.twilio_sms.TwilioSMSInput`; webhook at
`/webhooks/twilio_sms/webhook`, delivery reports at `/webhooks/twilio_sms/status`.
"""
from __future__ import annotations

import json
from typing import List, Optional, Tuple

from . import keywords
from .channel import ProactiveOutput, TurnOutput, TwilioInputBase
from .gsm import paginate, segment_count, to_gsm7
from .runtime import PAGES

NAME = "twilio_sms"


class TwilioSMSTurnOutput(TurnOutput):
    channel_name = NAME


class TwilioSMSProactiveOutput(ProactiveOutput):
    channel_name = NAME


class TwilioSMSInput(TwilioInputBase):
    """Twilio Programmable SMS, signed webhooks, cost-aware replies."""

    channel_name = NAME
    turn_output = TwilioSMSTurnOutput
    proactive_output = TwilioSMSProactiveOutput

    def default_from(self) -> str:
        return self.settings.sms_from

    def more_hint(self, language: Optional[str]) -> str:
        return to_gsm7(self.runtime.text("channel_more_hint", language))

    def shape(self, texts: List[str], language: Optional[str]) -> Tuple[List[str], List[str]]:
        """GSM-7, ≤3 segments each; once a text is split, the rest waits for MORE.

        Pages kept for later are stored as [text, ends_with_more_hint] pairs (JSON).
        """
        hint = self.more_hint(language)
        now: List[str] = []
        later: List[list] = []
        for text in texts:
            pages = paginate(to_gsm7(text), hint)
            marked = [[page, index < len(pages) - 1] for index, page in enumerate(pages)]
            if later:
                later.extend(marked)
            elif marked:
                now.append(marked[0][0])
                later.extend(marked[1:])
        return now, later  # type: ignore[return-value]

    def sent_counts(self, messages: List[str]) -> List[Tuple[str, object]]:
        return [("sms_segments", segment_count(m)) for m in messages]

    def units(self, message: str) -> int:
        return segment_count(message)

    async def on_keyword(self, keyword: keywords.Keyword, person: str,
                         language: Optional[str]) -> Optional[List[str]]:
        if keyword.kind != keywords.MORE:
            return await super().on_keyword(keyword, person, language)
        stored = await self.runtime.state.get(PAGES + person)
        if not stored:
            return None  # no pages waiting: MORE is the assistant's (its menus page too)
        pages = json.loads(stored)
        batch: List[str] = []
        while pages:
            text, has_more = pages.pop(0)
            batch.append(text)
            if has_more:
                break
        if pages:
            await self.runtime.state.set(PAGES + person, json.dumps(pages),
                                         ttl_seconds=self.settings.pages_ttl_seconds)
        else:
            await self.runtime.state.delete(PAGES + person)
        return batch
