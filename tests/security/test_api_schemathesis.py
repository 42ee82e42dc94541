"""Issue 8: schemathesis against the Ninja OpenAPI schema (a short, deterministic run, part of the
suite so CI runs it): whatever it sends, as anonymous and as a logged-in officer, no 5xx."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hongheo.users.models import Role

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 25  # per operation and mode: short by design (the suite's budget)


def _operations():
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    ops = [result.ok() for result in schema.get_all_operations()]
    assert ops, "the OpenAPI schema lists no operation"
    return ops


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the WSGI application directly, whose request signals would close the
    test's database connection (inside its transaction); Django's own test client disconnects
    them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_never_answers_5xx(world, keep_test_connection):
    from schemathesis import GenerationMode

    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    session = client.cookies["sessionid"].value
    failures: list[str] = []
    for op in _operations():
        strategy = st.one_of(op.as_strategy(GenerationMode.POSITIVE), op.as_strategy(GenerationMode.NEGATIVE))

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, logged_in=st.booleans())
        def run(case, logged_in):
            cookies = {"sessionid": session} if logged_in else None
            response = case.call(cookies=cookies)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.path}: {response.status_code} {case.path_parameters} {case.query}"
                )

        run()
    assert not failures, "\n".join(failures[:20])
