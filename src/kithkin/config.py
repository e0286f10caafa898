"""The home folder, `config.yaml` and `crm_mappings.yaml`: read, validated, with sensible defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kithkin import private_files
from kithkin.models import KithkinError

CONFIG_FILE = "config.yaml"
MAPPINGS_FILE = "crm_mappings.yaml"
DATABASE_FILE = "crm.db"


class Owner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    auto_link: float = Field(0.97, ge=0, le=1, description="confidence at or above which a link is made")
    pending: float = Field(0.6, ge=0, le=1, description="confidence at or above which a link is proposed")
    name_auto_link: float = Field(
        0.9, ge=0, le=1, description="a unique full-name match at or above this links without asking (1 to never)"
    )
    shared_identifier_people: int = Field(
        3, ge=2, description="an email or phone seen on this many differently named people is shared"
    )


class Relationships(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_group_size: int = Field(25, ge=2, description="larger meetings and threads are discounted as crowds")
    slack_channel_max_members: int = Field(30, ge=2)
    family: list[str] = Field(default_factory=list, description="names or emails of family members")


class Server(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    max_upload_mb: int = Field(200, ge=1)


class LiveSource(BaseModel):
    """One live source for `kithkin sync`; credentials come from the keyring or an environment variable."""

    model_config = ConfigDict(extra="allow")
    type: str
    account: str = ""
    interval_minutes: float | None = Field(
        None, gt=0, description="minutes between syncs while Kithkin keeps sources current (default per type)"
    )


class Live(BaseModel):
    """How `kithkin serve` and `kithkin sync --watch` keep the live sources current."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(True, description="false: sources sync only when asked")
    retry_seconds: float = Field(30, gt=0, description="wait after a first failure; doubled after each next one")
    retry_max_minutes: float = Field(60, gt=0, description="the longest wait between two attempts of a failing source")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner: Owner = Field(default_factory=Owner)
    default_region: str = "US"
    other_regions: list[str] = Field(
        default_factory=list, description="the owner's other countries: national numbers saved there are read there"
    )
    resolution: Resolution = Field(default_factory=Resolution)
    relationships: Relationships = Field(default_factory=Relationships)
    server: Server = Field(default_factory=Server)
    sources: list[LiveSource] = Field(default_factory=list)
    live: Live = Field(default_factory=Live)


class DomainMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company: str | None = None
    category: str | None = None
    vault_contexts: list[str] = Field(default_factory=list)


class Mappings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domain_mappings: dict[str, DomainMapping] = Field(default_factory=dict)
    folder_mappings: dict[str, DomainMapping] = Field(
        default_factory=dict, description="vault folder prefix → company, category, contexts"
    )

    def domains(self) -> dict[str, dict[str, Any]]:
        return {d.lower(): m.model_dump() for d, m in self.domain_mappings.items()}

    def for_folder(self, folder: str) -> DomainMapping | None:
        """The mapping of the longest folder prefix that contains `folder`."""
        folder = folder.strip("/") + "/"
        best = max((p for p in self.folder_mappings if folder.startswith(p.strip("/") + "/")), key=len, default=None)
        return self.folder_mappings[best] if best else None


DEFAULT_MAPPINGS = """\
# Email domain → company, category and vault contexts. Edit freely; Kithkin reads it at start.
domain_mappings:
  example.com:
    company: Example Inc.
    category: work
    vault_contexts: ["Work/Example/"]
# Vault folder → the context a note there belongs to.
folder_mappings:
  "Work/":
    category: work
  "Personal/":
    category: personal
"""


def default_home() -> Path:
    env = os.environ.get("KITHKIN_HOME")
    return Path(env).expanduser() if env else Path(user_data_dir("kithkin", appauthor=False))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KithkinError(f"{path} is not valid YAML ({exc.__class__.__name__}); fix the file or delete it.") from exc
    except OSError as exc:
        raise KithkinError(f"Cannot read {path}: {exc.strerror}.") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KithkinError(f"{path} must hold a mapping of settings at its top level; fix the file.")
    return data


def _validation_message(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"{path}: setting '{where}' is invalid ({first['msg']}); fix it or delete the file for defaults."


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_FILE
    if not path.exists():
        return Settings()
    try:
        return Settings.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise KithkinError(_validation_message(path, exc)) from exc


def load_mappings(home: Path) -> Mappings:
    path = home / MAPPINGS_FILE
    if not path.exists():
        return Mappings.model_validate(yaml.safe_load(DEFAULT_MAPPINGS))
    try:
        return Mappings.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise KithkinError(_validation_message(path, exc)) from exc


def save_settings(home: Path, settings: Settings) -> Path:
    private_files.private_folder(home)
    path = home / CONFIG_FILE
    private_files.write_private(path, yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False))
    return path


def write_default_mappings(home: Path) -> Path:
    path = home / MAPPINGS_FILE
    if not path.exists():
        private_files.private_folder(home)
        private_files.write_private(path, DEFAULT_MAPPINGS)
    return path
