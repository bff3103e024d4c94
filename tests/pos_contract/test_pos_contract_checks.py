"""Schemathesis over /pos/v1/openapi.json against a real server, with every check: each operation's
examples, coverage scenarios and fuzzed inputs (valid and invalid) must get a declared status and a body
of the declared schema, never a 5xx; unsupported methods a 405 with Allow; no token a 401."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.definitions import OPENAPI_31

from cloud.server.pos import OPERATIONS
from cloud.server.pos.openapi import OPENAPI_PATH, build_document

ROOT = Path(__file__).resolve().parents[2]
# Loaded at module level from the same builder the server uses (schemathesis' from_fixture breaks on
# pytest 9); test_the_served_document_is_this_one checks that the server serves exactly this.
DOCUMENT = build_document(OPERATIONS)
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml"))
ALL_CHECKS = CHECKS.get_all()


def test_the_document_is_valid_openapi_3_1() -> None:
    jsonschema_rs.validate(OPENAPI_31, DOCUMENT)
    SCHEMA.validate()
    for name, schema in DOCUMENT["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_the_served_document_is_this_one_without_a_token_and_cacheable(live_server) -> None:
    served = requests.get(live_server.url + OPENAPI_PATH, timeout=30)
    assert served.status_code == 200 and served.json() == DOCUMENT
    assert "max-age" in served.headers["Cache-Control"] and served.headers["ETag"]
    again = requests.get(live_server.url + OPENAPI_PATH, headers={"If-None-Match": served.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_passes_every_check(case, live_server) -> None:
    case.call_and_validate(base_url=live_server.url, headers=live_server.headers, checks=ALL_CHECKS, timeout=30)
