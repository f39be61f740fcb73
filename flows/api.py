"""Checking the Prefect API before a run, so a server that is down or stalled costs one line, not a hang."""

from __future__ import annotations

import os

API_CHECK_SECONDS = float(os.environ.get("ARCHFLOW_API_CHECK_SECONDS", "10"))


def configured_api_url() -> str:
    """The API address Prefect will use (environment or active profile); "" for a temporary local server."""
    from prefect.settings import get_current_settings

    return str(get_current_settings().api.url or "").rstrip("/")


def api_problem(url: str | None = None, timeout: float = API_CHECK_SECONDS) -> str | None:
    """None when the Prefect API at ``url`` answers its health check in time; else one line
    naming the address, what went wrong and what to do."""
    import httpx

    url = configured_api_url() if url is None else url
    if not url:
        return None
    advice = "start it with `./dev server`, or unset PREFECT_API_URL to run with a temporary local server"
    try:
        response = httpx.get(f"{url}/health", timeout=timeout)
    except httpx.TimeoutException:
        return f"the Prefect API at {url} did not answer within {timeout:g} s: {advice}"
    except httpx.HTTPError as error:
        return f"cannot reach the Prefect API at {url} ({type(error).__name__}): {advice}"
    if response.status_code != 200:
        return f"the Prefect API at {url} answered its health check with HTTP {response.status_code}: is PREFECT_API_URL the server's /api address? {advice}"
    return None


def preflight(params_file: str = "params.yaml"):
    """What every entry point checks before a run: params.yaml read and checked, the Prefect
    API answering; then Prefect's failure logs are quieted. Returns the settings and None, or
    None and the one-line problem."""
    from archflow.errors import SettingsError
    from archflow.settings import load_settings
    from flows.logs import quiet_failure_logs

    try:
        settings = load_settings(params_file)
    except SettingsError as error:
        return None, str(error)
    problem = api_problem()
    if problem:
        return None, problem
    quiet_failure_logs()
    return settings, None
