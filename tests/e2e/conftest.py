"""One running stack shared by the end-to-end tests of a session."""
import uuid

import pytest

from .stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture
def sender() -> str:
    """A fresh conversation id per test (what the connectors' pseudonym would be)."""
    return uuid.uuid4().hex
