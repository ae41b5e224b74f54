"""Adherence reminders: durable plans, the worker that sends them exactly once, and
the check-ins that follow. The number is never here: the connectors' vault has it."""
