"""`newsfacts serve`: keep the nightly flow scheduled with Prefect's `serve`.

Scheduling needs a persistent Prefect API (`prefect server start`): Prefect's temporary
in-process server accepts the deployment but never creates the scheduled runs. So we check
for one first and say what to do when none answers.
"""

from __future__ import annotations

import os

import httpx

DEFAULT_CRON = "0 2 * * *"
DEPLOYMENT_NAME = "newsfacts-nightly"


class PrefectApiMissing(RuntimeError):
    pass


HOW_TO_START = (
    "start one in another terminal with `prefect server start`, then point newsfacts at it:\n"
    "  prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api\n"
    "(or export PREFECT_API_URL=http://127.0.0.1:4200/api) and run `newsfacts serve` again."
)


def configured_api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value() or None


def check_prefect_api(timeout: float = 3.0) -> str:
    """Return the API URL when a persistent Prefect API answers its health check."""
    api_url = configured_api_url()
    if not api_url:
        raise PrefectApiMissing(
            "newsfacts serve needs a persistent Prefect API, and PREFECT_API_URL is not set: "
            + HOW_TO_START
        )
    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise PrefectApiMissing(
            f"no Prefect API answers at {api_url} ({exc.__class__.__name__}): " + HOW_TO_START
        ) from None
    return api_url


def serve_nightly(
    *, sources_path: str, db_path: str, reports_dir: str, cron: str = DEFAULT_CRON, timezone: str = "UTC"
) -> None:
    """Register the deployment and run it on schedule until stopped (Ctrl-C / SIGTERM)."""
    from prefect.schedules import Cron

    from newsfacts.flows.nightly import nightly

    nightly.serve(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"sources_path": sources_path, "db_path": db_path, "reports_dir": reports_dir},
        description="newsfacts nightly run: feeds → articles → facts → DuckDB → conflicts → report",
    )
