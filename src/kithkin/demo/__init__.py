"""`kithkin demo`: write the demo life as real source files, then import them with the real importers."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
from pathlib import Path
from typing import Any

from kithkin import private_files
from kithkin.config import DATABASE_FILE, Owner, Settings, save_settings, write_default_mappings
from kithkin.demo.cast import make_cast
from kithkin.importers import available_sources
from kithkin.ingest import import_paths
from kithkin.models import KithkinError
from kithkin.services import statistics
from kithkin.workspace import Workspace


def writers() -> list[Any]:
    """Every demo writer module in this package (each has SOURCE and write(cast, folder))."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("cast",):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "SOURCE") and hasattr(module, "write"):
            found.append(module)
    return sorted(found, key=lambda m: getattr(m, "ORDER", 50))


def build_demo(home: Path, size: int = 300, *, fresh: bool = False) -> dict[str, Any]:
    """The demo life at `home`: an existing demo home is kept as it is (with the decisions made in it)
    unless `fresh`; refuses to touch a home that is not a demo."""
    marker = home / ".kithkin-demo"
    if home.exists() and any(home.iterdir()) and not marker.exists():
        raise KithkinError(f"{home} is not empty and not a demo home; choose another folder with --home.")
    if marker.exists() and (home / DATABASE_FILE).is_file() and not fresh:
        with Workspace.open(home) as workspace:
            return {**_report(home, statistics(workspace.conn)), "kept": True}
    if home.exists():
        shutil.rmtree(home)
    private_files.private_folder(home)  # a home like any other: its first `serve` has nothing to repair
    private_files.write_private(marker, "demo\n")
    cast = make_cast(size)
    save_settings(
        home,
        Settings(
            owner=Owner(
                name=cast.owner["name"],
                emails=[cast.owner["email"], cast.owner["personal_email"]],
                phones=[cast.owner["phone"]],
            )
        ),
    )
    write_default_mappings(home)
    files_dir = home / "demo-files"
    private_files.private_folder(files_dir)
    present = set(available_sources())
    imported: dict[str, int] = {}
    with Workspace.open(home) as workspace:
        for writer in writers():
            if writer.SOURCE not in present:
                continue
            folder = files_dir / writer.SOURCE
            folder.mkdir(exist_ok=True)
            paths = writer.write(cast, folder)
            summary = import_paths(workspace, writer.SOURCE, paths, account=getattr(writer, "ACCOUNT", None))
            imported[writer.SOURCE] = summary.interactions + summary.source_entities
        figures = statistics(workspace.conn)
    return {**_report(home, figures), "sources": imported, "kept": False}


def _report(home: Path, figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "home": str(home),
        "people": figures["people"],
        "interactions": figures["interactions"],
        "pending_links": figures["pending_links"],
    }
