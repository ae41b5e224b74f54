"""Puente's Rasa project: NLU data, dialogue, custom components and actions."""
