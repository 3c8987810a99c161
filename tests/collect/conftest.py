"""Fixtures for the collection engine: a misbehaving local server on 127.0.0.1."""

import pytest
from faultserver import FaultServer


@pytest.fixture
def server():
    running = FaultServer().start()
    yield running
    running.stop()
