"""Sources: what each holds and when it last synced, file uploads imported as jobs, live syncs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kithkin import importers, private_files
from kithkin.api.deps import ConnDep, JobsDep, LiveStatusDep, WorkspaceDep
from kithkin.api.schemas import ArrivalMark, ErrorBody, JobPublic, SourceList
from kithkin.importers.base import Importer
from kithkin.jobs import import_work, sync_work
from kithkin.models import ImportFormatError, KithkinError
from kithkin.store import interactions, sources, stats

router = APIRouter(tags=["sources"])

CHUNK = 1024 * 1024
MAX_FILES = 5000
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["source", "files"],
                    "properties": {
                        "source": {"type": "string", "description": "the source the files come from, e.g. whatsapp"},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "one or more export files; a folder's files keep their relative names",
                        },
                    },
                }
            }
        },
    }
}


@router.get("/sources", response_model=SourceList)
def list_sources(
    conn: ConnDep,
    workspace: WorkspaceDep,
    jobs: JobsDep,
    kept_current: LiveStatusDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Every source kind: entities and interactions held, last sync and its outcome, live accounts, last job,
    and how each live source is kept current (watched, or its next sync) with its last error."""
    entities = sources.entity_counts_by_source(conn)
    held = interactions.counts_by_source(conn)
    configured: dict[str, list[str]] = {}
    for live in workspace.settings.sources:
        configured.setdefault(live.type, []).append(live.account or live.type)
    states: dict[str, list[dict[str, Any]]] = {}
    for state in sources.sync_states(conn):
        states.setdefault(state["source_type"], []).append(state)
    last_jobs: dict[str, dict[str, Any]] = {}
    for job in jobs.jobs():
        last_jobs.setdefault(job.source, job.as_dict())
    importable = set(importers.available_sources())
    names = list(dict.fromkeys([*importers.REGISTRY, *importers.LIVE_REGISTRY, *configured, *entities, *held]))
    items = []
    for name in names:
        synced = sorted(states.get(name, []), key=lambda s: s["last_sync_at"] or "")
        latest = synced[-1] if synced else {}
        items.append(
            {
                "name": name,
                "importable": name in importable,
                "live": name in importers.LIVE_REGISTRY,
                "configured": configured.get(name, []),
                "source_entities": entities.get(name, 0),
                "interactions": held.get(name, 0),
                "last_sync_at": latest.get("last_sync_at"),
                "last_status": latest.get("last_status"),
                "last_error": latest.get("last_error"),
                "items_synced": sum(s["items"] for s in synced),
                "last_job": last_jobs.get(name),
                "live_status": [entry for entry in kept_current if entry["type"] == name],
            }
        )
    return {"items": items[offset : offset + limit], "total": len(items)}


@router.get("/changes", response_model=ArrivalMark)
def changes(conn: ConnDep, live_status: LiveStatusDep) -> dict[str, str]:
    """A mark that moves when new interactions or source entries arrive, or a live source's state changes
    (a sync that stored nothing new still ends, watching again): poll it to refresh what is shown."""
    states = ",".join(f"{entry['key']}:{entry['state']}:{entry['failures']}" for entry in live_status)
    return {"mark": f"{stats.arrival_mark(conn)}|{states}"}


@router.post(
    "/sources/import",
    status_code=202,
    response_model=JobPublic,
    openapi_extra=UPLOAD_BODY,
    responses={
        400: {"model": ErrorBody, "description": "the multipart body is malformed"},
        409: {"model": ErrorBody, "description": "an import of this source is already running"},
        413: {"model": ErrorBody, "description": "the upload is larger than server.max_upload_mb"},
        422: {"model": ErrorBody, "description": "unknown source, no file, or a file not of that source"},
    },
)
async def import_files(request: Request, workspace: WorkspaceDep, jobs: JobsDep) -> dict[str, Any]:
    """Upload export files of one source; each is checked by the source's importer, then imported as a job.

    The body is streamed to a folder in the home (never held in memory) and refused beyond the size limit.
    """
    limit = workspace.settings.server.max_upload_mb * 1024 * 1024
    too_large = HTTPException(
        413, f"The upload is larger than {workspace.settings.server.max_upload_mb} MB; raise server.max_upload_mb."
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    form = await _limited(request, limit, too_large).form(max_files=MAX_FILES, max_fields=10)
    try:
        source = form.get("source")
        choices = ", ".join(importers.REGISTRY)
        if not isinstance(source, str):
            raise HTTPException(422, f"Name the source of the files in the field 'source', one of: {choices}.")
        if source not in importers.REGISTRY:
            raise HTTPException(422, f"Unknown source '{source}'; choose one of: {choices}.")
        jobs.ensure_free(source)  # before saving a large upload that could not be imported now
        try:
            importer = importers.get_importer(source)
        except KithkinError as exc:
            raise HTTPException(422, str(exc)) from exc
        files = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
        if not files:
            raise HTTPException(422, "Attach at least one file as 'files'.")
        folder = jobs.upload_folder()
        try:
            paths = await run_in_threadpool(_save_and_check, importer, files, folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    finally:
        await form.close()
    try:
        job = jobs.start("import", source, import_work(source, paths), cleanup=folder)
    except KithkinError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job.as_dict()


@router.post(
    "/sources/{source_type}/sync",
    status_code=202,
    response_model=JobPublic,
    responses={
        404: {"model": ErrorBody, "description": "no live source of this type is configured"},
        409: {"model": ErrorBody, "description": "a sync of this source is already running"},
    },
)
def sync(
    source_type: Annotated[str, PathParam(max_length=64)], workspace: WorkspaceDep, jobs: JobsDep
) -> dict[str, Any]:
    """Start syncing every live source of this type configured in config.yaml; poll GET /jobs/{id}."""
    configured = [s for s in workspace.settings.sources if s.type == source_type]
    if not configured:
        raise HTTPException(
            404, f"No live source of type '{source_type}' is configured; add one under 'sources' in config.yaml."
        )
    return jobs.start("sync", source_type, sync_work(source_type, configured)).as_dict()


def _limited(request: Request, limit: int, too_large: HTTPException) -> Request:
    """The same request, refusing its body once more than `limit` bytes arrived (chunked bodies too)."""
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise too_large
        return message

    return Request(request.scope, receive)


def _save_and_check(importer: Importer, files: list[UploadFile], folder: Path) -> list[Path]:
    """Copy the uploads into `folder` chunk by chunk; return the paths to import once the importer accepts each."""
    private_files.private_folder(folder)
    for index, upload in enumerate(files):
        target = folder / _safe_relative(upload.filename or "", index)
        if target.exists():
            target = target.with_name(f"{index}-{target.name}")
        private_files.private_folder(target.parent)
        private_files.create_private(target)
        with target.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                out.write(chunk)
    source = importer.source_type
    paths = sorted(folder.iterdir())
    for path in paths:
        shown = path.relative_to(folder)
        observations = None
        try:
            if not importer.sniff(path):
                raise HTTPException(422, f"{shown} is not a {source} export; check the file or choose another source.")
            # Importers validate the whole file before yielding anything (some while `read` is called).
            observations = importer.read(path, None)
            next(iter(observations), None)
        except ImportFormatError as exc:
            raise HTTPException(422, f"{shown}: {exc.problem}") from exc
        finally:
            close = getattr(observations, "close", None)
            if close is not None:
                close()
    return paths


def _safe_relative(name: str, index: int) -> Path:
    """An uploaded file name as a path that stays inside the upload folder (folder uploads keep their tree)."""
    # Names are kept as they were (a vault's page names are its people's names); control characters go.
    parts = [re.sub(r"[\x00-\x1f\x7f]", "_", part)[:200] for part in re.split(r"[\\/]+", name)]
    parts = [part for part in parts if part.strip(". ")]
    return Path(*parts) if parts else Path(f"upload-{index}")
