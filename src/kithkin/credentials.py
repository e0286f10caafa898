"""Secrets for live sources (IMAP, CardDAV, CalDAV, Slack): from the OS keyring or the environment,
never from config.yaml and never written to the database or logs."""

from __future__ import annotations

import os

from kithkin.config import LiveSource
from kithkin.models import KithkinError

KEYRING_SERVICE = "kithkin"


def secret_for(source: LiveSource, what: str = "password") -> str:
    """The secret `what` of a live source.

    Looked up, in order: the environment variable named by `<what>_env` in the source's config,
    then the keyring entry (service "kithkin", user "<type>:<account>:<what>").
    """
    extra = source.model_extra or {}
    env_name = extra.get(f"{what}_env")
    if env_name and os.environ.get(env_name):
        return os.environ[env_name]
    user = f"{source.type}:{source.account}:{what}"
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(KEYRING_SERVICE, user)
        except KeyringError:
            value = None
    except ImportError:
        value = None
    if value:
        return value
    hint = f"set the environment variable {env_name}" if env_name else f"add '{what}_env: VARIABLE' to the source"
    raise KithkinError(
        f"No {what} for the {source.type} source '{source.account or 'default'}': {hint}, "
        f"or store it with `keyring set {KEYRING_SERVICE} {user}`."
    )
