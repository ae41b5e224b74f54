"""Settings, read once from the environment (and `.env` when present).

Every variable named in DESIGN.md is here; nothing secret has a usable default in
production: `check_production_secrets` refuses to start with the development ones.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"
DEV_VAULT_KEY = "ZGV2LW9ubHktdmF1bHQta2V5LWNoYW5nZS1tZS0zMmI="  # base64 of 32 bytes

LANGUAGES = ("en", "es", "fr", "ht", "pt")
DEFAULT_LANGUAGE = "en"


class Settings(BaseSettings):
    """Process configuration; names match DESIGN.md's configuration list."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = Field("development", alias="PUENTE_ENV")
    database_url: str = Field(f"sqlite:///{ROOT / 'puente.db'}", alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    app_secret: str = Field(DEV_SECRET, alias="APP_SECRET")
    vault_key: str = Field(DEV_VAULT_KEY, alias="VAULT_KEY")
    public_base_url: str = Field("http://127.0.0.1:5005", alias="PUBLIC_BASE_URL")
    twilio_account_sid: str = Field("AC00000000000000000000000000000000", alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("dev-twilio-token", alias="TWILIO_AUTH_TOKEN")
    twilio_sms_from: str = Field("+15005550006", alias="TWILIO_SMS_FROM")
    twilio_whatsapp_from: str = Field("whatsapp:+14155238886", alias="TWILIO_WHATSAPP_FROM")
    twilio_api_base: str = Field("https://api.twilio.com", alias="TWILIO_API_BASE")
    rasa_url: str = Field("http://127.0.0.1:5005", alias="RASA_URL")
    rasa_token: str | None = Field(None, alias="RASA_TOKEN")
    app_url: str = Field("http://127.0.0.1:8000", alias="APP_URL")
    tracker_ttl_days: int = Field(30, alias="TRACKER_TTL_DAYS")
    stats_min_cell: int = Field(10, alias="STATS_MIN_CELL")
    stats_raw_days: int = Field(90, alias="STATS_RAW_DAYS")
    map_tile_url: str = Field("", alias="MAP_TILE_URL")
    locales_dir: Path = Field(ROOT / "locales", alias="PUENTE_LOCALES_DIR")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check_production_secrets(self) -> None:
        """Refuse to run in production with the committed development secrets."""
        if not self.is_production:
            return
        weak = [
            name
            for name, value, default in (
                ("APP_SECRET", self.app_secret, DEV_SECRET),
                ("VAULT_KEY", self.vault_key, DEV_VAULT_KEY),
                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token, "dev-twilio-token"),
            )
            if value == default or not value
        ]
        if weak:
            raise RuntimeError(
                "production mode refuses development secrets; set " + ", ".join(weak)
            )


@lru_cache
def get_settings() -> Settings:
    """The settings of this process (cached: read the environment once)."""
    return Settings()
