"""Connector settings, read from the environment once per channel.

Why not `service_directory.config`: the connectors run inside the Rasa server (bot
env), which has no pydantic-settings. The names are DESIGN's; the development
defaults equal the app's (`tests/connectors/test_settings.py` checks they agree).
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"
DEV_VAULT_KEY = "ZGV2LW9ubHktdmF1bHQta2V5LWNoYW5nZS1tZS0zMmI="
DEV_TWILIO_TOKEN = "dev-twilio-token"
# Fictional number: set PUENTE_HOTLINE to the programme's real hotline in production.
DEV_HOTLINE = "+1 555 0100"


class ConfigurationError(RuntimeError):
    """The connector refuses to start with this configuration."""


def _flag(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _count(get: Callable[[str], Optional[str]], name: str, default: int) -> int:
    """A limit from the environment: a whole number >= 0 (0: no limit)."""
    raw = (get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigurationError(f"{name} must be a whole number >= 0 (0: no limit), "
                                 f"not {raw!r}")
    return value


@dataclass(frozen=True)
class ConnectorSettings:
    """Everything a Twilio channel needs; `from_env` is the one constructor used."""

    environment: str = "development"
    app_secret: str = DEV_SECRET
    vault_key: str = DEV_VAULT_KEY
    public_base_url: str = "http://127.0.0.1:5005"
    account_sid: str = "AC00000000000000000000000000000000"
    auth_token: str = DEV_TWILIO_TOKEN
    sms_from: str = "+15005550006"
    whatsapp_from: str = "whatsapp:+14155238886"
    api_base: str = "https://api.twilio.com"
    app_url: str = "http://127.0.0.1:8000"
    redis_url: Optional[str] = None
    state_path: Path = ROOT / ".cache" / "connectors-state.sqlite3"
    locales_dir: Path = ROOT / "locales"
    hotline: str = DEV_HOTLINE
    validate_signatures: bool = True
    reply_deadline_seconds: float = 8.0
    send_backoff_seconds: float = 0.5
    max_inbound_chars: int = 1000
    dedupe_ttl_seconds: int = 2 * 86400
    pages_ttl_seconds: int = 86400
    # Abuse limits (connectors/limits.py); 0 turns one off.
    inbound_per_minute: int = 10
    daily_segments_per_sender: int = 100
    daily_segments_total: int = 10000
    state_namespace: str = "puente:connector:"  # Redis key prefix (tests isolate with it)
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "ConnectorSettings":
        """Read DESIGN's variables; refuse unsafe combinations with a clear message.

        `PUENTE_TWILIO_SKIP_SIGNATURE=1` turns signature checks off, for development
        only: it is refused when `PUENTE_ENV=production`.
        """
        env = os.environ if env is None else env
        get = env.get
        settings = cls(
            environment=get("PUENTE_ENV", "development"),
            app_secret=get("APP_SECRET") or DEV_SECRET,
            vault_key=get("VAULT_KEY") or DEV_VAULT_KEY,
            public_base_url=(get("PUBLIC_BASE_URL") or "http://127.0.0.1:5005").rstrip("/"),
            account_sid=get("TWILIO_ACCOUNT_SID") or cls.account_sid,
            auth_token=get("TWILIO_AUTH_TOKEN") or DEV_TWILIO_TOKEN,
            sms_from=get("TWILIO_SMS_FROM") or cls.sms_from,
            whatsapp_from=get("TWILIO_WHATSAPP_FROM") or cls.whatsapp_from,
            api_base=(get("TWILIO_API_BASE") or cls.api_base).rstrip("/"),
            app_url=(get("APP_URL") or cls.app_url).rstrip("/"),
            redis_url=get("REDIS_URL") or None,
            state_path=Path(get("PUENTE_CONNECTOR_STATE") or cls.state_path),
            locales_dir=Path(get("PUENTE_LOCALES_DIR") or cls.locales_dir),
            hotline=get("PUENTE_HOTLINE") or DEV_HOTLINE,
            validate_signatures=not _flag(get("PUENTE_TWILIO_SKIP_SIGNATURE")),
            reply_deadline_seconds=float(get("PUENTE_REPLY_DEADLINE") or 8.0),
            send_backoff_seconds=float(get("PUENTE_SEND_BACKOFF") or 0.5),
            inbound_per_minute=_count(get, "PUENTE_INBOUND_PER_MINUTE", cls.inbound_per_minute),
            daily_segments_per_sender=_count(get, "PUENTE_DAILY_SEGMENTS_PER_SENDER",
                                             cls.daily_segments_per_sender),
            daily_segments_total=_count(get, "PUENTE_DAILY_SEGMENTS_TOTAL",
                                        cls.daily_segments_total),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse to run in production without signatures or with development secrets."""
        if not self.is_production:
            return
        if not self.validate_signatures:
            raise ConfigurationError(
                "PUENTE_TWILIO_SKIP_SIGNATURE is for development only; "
                "it is refused with PUENTE_ENV=production"
            )
        weak = [name for name, value, default in (
            ("APP_SECRET", self.app_secret, DEV_SECRET),
            ("VAULT_KEY", self.vault_key, DEV_VAULT_KEY),
            ("TWILIO_AUTH_TOKEN", self.auth_token, DEV_TWILIO_TOKEN),
        ) if value == default]
        if weak:
            raise ConfigurationError(
                "production mode refuses development secrets; set " + ", ".join(weak))
        if not 0 < self.reply_deadline_seconds < 15:
            raise ConfigurationError("PUENTE_REPLY_DEADLINE must be under Twilio's 15 s")

    def vault_key_bytes(self) -> bytes:
        """VAULT_KEY as 32 raw bytes (it is base64 in the environment)."""
        try:
            key = base64.b64decode(self.vault_key, validate=True)
        except ValueError as error:
            raise ConfigurationError("VAULT_KEY must be base64 of 32 bytes") from error
        if len(key) != 32:
            raise ConfigurationError(
                f"VAULT_KEY must be base64 of 32 bytes, it decodes to {len(key)}")
        return key
