"""Fixtures of the loopback world: one test CA per module, the demo world served over TLS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import TestCA, WorldServer
from tests.support import ROOT

DEMO_WORLD = ROOT / "demo_world"


@pytest.fixture(scope="module")
def ca() -> Iterator[TestCA]:
    authority = TestCA()
    yield authority
    authority.close()


@pytest.fixture
def ca_pem(ca: TestCA, tmp_path: Path) -> Path:
    """The CA as a PEM file, as `--ca-bundle ca.pem` takes it."""
    return ca.write(tmp_path / "ca.pem")


@pytest.fixture
def server(ca: TestCA) -> Iterator[WorldServer]:
    """The demo world on 127.0.0.1, over TLS for every host name."""
    with WorldServer(DEMO_WORLD, ca) as world:
        yield world
