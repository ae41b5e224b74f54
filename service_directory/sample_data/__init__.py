"""Fictional sample directory (see `generator`): `load_sample(session)` upserts it."""
from .generator import SAMPLE_PREFIX, load_sample, sample_directory, sample_id

__all__ = ["SAMPLE_PREFIX", "load_sample", "sample_directory", "sample_id"]
