"""A property-based run over the whole OpenAPI document (schemathesis): every operation,
with generated valid and invalid inputs, against the running app and an admin's token. No
answer may be a 500, a status the document does not list, or a body that breaks its
schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import new_token

EXAMPLES = 20  # per operation, mode and backend: about two minutes in all (the CI budget)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_operation_fails_or_breaks_its_schema(server, mode):
    secret, _token_id, _owner = new_token("admin")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9  # every endpoint is in the document

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(base_url=server, headers=headers, checks=CHECKS)

        run()
