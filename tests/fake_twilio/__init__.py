"""The fake Twilio the tests use (implementation in `connectors/fake_twilio.py`,
where `puente chat` can reach it too)."""
from connectors.fake_twilio import FakeTwilio

__all__ = ["FakeTwilio"]
