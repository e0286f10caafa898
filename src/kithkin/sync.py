"""`kithkin sync`: run every live source configured in config.yaml through its importer."""

from __future__ import annotations

from kithkin.config import LiveSource
from kithkin.importers import live_importer_factory
from kithkin.ingest import Progress, add_report, ingest, prepare_reader
from kithkin.models import ImportSummary, KithkinError
from kithkin.store import db, sources
from kithkin.workspace import Workspace


def configured_sources(workspace: Workspace, types: list[str] | None = None) -> list[LiveSource]:
    configured = workspace.settings.sources
    if types:
        unknown = sorted(set(types) - {s.type for s in configured})
        if unknown:
            raise KithkinError(
                f"No live source of type {', '.join(unknown)} is configured; add it under 'sources' in config.yaml."
            )
        configured = [s for s in configured if s.type in types]
    return configured


def sync_source(workspace: Workspace, source: LiveSource, progress: Progress | None = None) -> ImportSummary:
    """One live source: resume from its cursor; the cursor advances only with committed data.

    A live factory is `factory(source_config, workspace) -> (importer, target)`; `target` is what
    the importer's `read` takes (a path, a URL, an account).
    """
    factory = live_importer_factory(source.type)
    importer, target = factory(source, workspace)
    prepare_reader(workspace, importer)
    summary = ImportSummary(source=importer.source_type)
    key = (importer.source_type, source.account or str(target))
    cursor = sources.get_cursor(workspace.conn, *key)
    try:
        observations = importer.read(target, cursor)
        # An importer that plans its work in `read` (IMAP counts the new mail) knows its total by now.
        total = getattr(importer, "total", None)
        ingest(
            workspace,
            importer,
            observations,
            summary,
            account=source.account or None,
            cursor_key=key,
            progress=progress,
            total=total if isinstance(total, int) else None,
        )
    except Exception as exc:
        with db.transaction(workspace.conn):
            sources.record_sync(workspace.conn, *key, cursor=None, status="error", error=str(exc))
        raise
    add_report(summary, importer)
    summary.files = 1
    return summary


def sync_sources(
    workspace: Workspace, types: list[str] | None = None, progress: Progress | None = None
) -> list[ImportSummary]:
    return [sync_source(workspace, source, progress) for source in configured_sources(workspace, types)]
