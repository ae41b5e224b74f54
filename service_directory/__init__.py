"""Puente's app: service directory, entitlements, NLG for Rasa, admin and stats APIs."""
