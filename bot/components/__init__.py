"""Custom Rasa NLU components, one class per module."""
