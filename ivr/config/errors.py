"""Errors of the service's configuration: one base with a machine-readable `code`."""

from __future__ import annotations


class ConfigError(Exception):
    """A settings file or an IVR_* variable that cannot be used; the message names it."""

    code = "config_invalid"
