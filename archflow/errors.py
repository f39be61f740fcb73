"""Errors that stop a stage with a message meant for the user."""


class ArchflowError(Exception):
    """Base class: the message is shown to the user as is."""


class DataError(ArchflowError):
    """The input data cannot be read or used; the message names the file and the problem."""


class ValidationFailed(DataError):
    """The data does not meet its expectations; ``summary`` holds the failed checks."""

    def __init__(self, message: str, summary: dict):
        super().__init__(message)
        self.summary = summary


class SettingsError(ArchflowError):
    """params.yaml holds an unknown key or a value out of range."""
