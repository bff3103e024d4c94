"""The POS API's OpenAPI document as schemathesis sees it in these tests: built by the same builder the
server uses (schemathesis' from_fixture breaks on pytest 9), with the repository's schemathesis.toml."""

from __future__ import annotations

import os
from pathlib import Path

import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from cloud.server.pos import OPERATIONS
from cloud.server.pos.openapi import build_document

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = build_document(OPERATIONS)
ALL_CHECKS = CHECKS.get_all()
# More examples for a one-off deeper run: POS_CONTRACT_EXAMPLES=250 pytest tests/pos_contract
EXAMPLES = int(os.environ.get("POS_CONTRACT_EXAMPLES", "40"))


def _config() -> SchemathesisConfig:
    """schemathesis.toml, without its rate limit: that one is for a real `vibeshop cloud serve`; the test
    server (conftest.py) has none."""
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    config.projects.default.rate_limit = None
    return config


SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=_config())
