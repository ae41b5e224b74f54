"""Fixtures shared by every test package (both environments)."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A running local Redis (started by the project's script if needed)."""
    return subprocess.run([str(ROOT / "scripts/services.sh"), "redis"], check=True,
                          capture_output=True, text=True).stdout.strip()
