"""Prefect flows: the stage entry points that dvc.yaml runs, and the whole pipeline.

Defaults for an offline, one-machine setup are set here because Prefect and TensorFlow read
them when first imported; anything already in the environment wins.
"""

import os

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "GX_ANALYTICS_ENABLED": "false",
    "DVC_NO_ANALYTICS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # every call to the Prefect API gives up after this long (Prefect's default is 60 s)
    "PREFECT_API_REQUEST_TIMEOUT": "20",
    # the stages (tasks/) and the ML code (archflow/) log with the standard logging module;
    # Prefect sends those loggers' lines to the run they happen in
    "PREFECT_LOGGING_EXTRA_LOGGERS": "tasks,archflow",
}.items():
    os.environ.setdefault(_name, _value)

import logging  # noqa: E402

for _logger in ("tasks", "archflow"):  # their INFO lines are the stages' progress (the root logger passes only warnings)
    logging.getLogger(_logger).setLevel(logging.INFO)
