"""The `kithkin` command line (CONTRACT.md): thin over the services, `--json` on every report."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kithkin import __version__
from kithkin.config import CONFIG_FILE, DATABASE_FILE, Owner, load_settings, save_settings, write_default_mappings
from kithkin.importers import LIVE_REGISTRY, REGISTRY
from kithkin.models import KithkinError
from kithkin.services import EXPORT_FORMATS
from kithkin.store.people import SORTS
from kithkin.workspace import Workspace

app = typer.Typer(help="Kithkin: a local-first personal CRM.", no_args_is_help=True, add_completion=False)
link_app = typer.Typer(help="Review proposed links.", no_args_is_help=True)
app.add_typer(link_app, name="link")
service_app = typer.Typer(help="Run `kithkin sync --watch` at login (launchd, systemd).", no_args_is_help=True)
app.add_typer(service_app, name="service")

HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Kithkin home folder (default: $KITHKIN_HOME or the user data dir).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
# Sentences are never wrapped (scripts read them whole) and never read as markup (names and paths are
# other people's text); tables still fit the terminal.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _show_version(value: bool) -> None:
    if value:
        out.print(f"kithkin {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Kithkin: a local-first personal CRM."""


def _choices(name: str, values: Any) -> type[Enum]:
    """The values an argument takes, listed in --help; any other is a usage error (exit 2) naming them."""
    return Enum(name, {value: value for value in values}, type=str)  # type: ignore[return-value]


SourceName = _choices("SourceName", REGISTRY)
LiveSourceName = _choices("LiveSourceName", LIVE_REGISTRY)
SortOrder = _choices("SortOrder", SORTS)
ExportFormat = _choices("ExportFormat", EXPORT_FORMATS)


def _home(home: Path | None) -> Path:
    from kithkin.config import default_home

    return (home or default_home()).expanduser()


def _fail(message: str) -> None:
    err.print(message)
    raise typer.Exit(1)


def _emit(as_json: bool, data: Any, render: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        render()


def _progress_bar(enabled: bool, label: str):
    if not enabled or not sys.stderr.isatty():
        return None, None
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err)
    task = bar.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _workspace(home: Path | None) -> Workspace:
    """A home to write into, made when missing (init, import, import-people)."""
    return Workspace.open(_home(home))


def _existing(home: Path | None) -> Workspace:
    """A home to read: a typo in --home must not make an empty one and report 0 people."""
    path = _home(home)
    if not (path / DATABASE_FILE).is_file() and not (path / CONFIG_FILE).is_file():
        raise KithkinError(f"no Kithkin home at {path}: run kithkin init or kithkin import")
    return Workspace.open(path)


@app.command()
def init(
    home: HomeOption = None,
    as_json: JsonOption = False,
    email: Annotated[list[str] | None, typer.Option("--email", help="Your own email (repeatable).")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="Your own phone (repeatable).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Your name.")] = None,
    add_found: Annotated[
        bool, typer.Option("--add-found", help="Add every readable local store found (Messages, calls...).")
    ] = False,
) -> None:
    """Create a home: config.yaml naming you (the owner, never listed as a contact) and crm_mappings.yaml,
    and offer the local stores found on this machine as live sources."""
    from kithkin.live.discover import add_sources, local_stores

    path = _home(home)
    try:
        settings = load_settings(path)
        on_terminal = _on_terminal() and not as_json
        if on_terminal and name is None and email is None and phone is None:
            name = _ask_name(settings.owner.name)
            email = _ask_list("Your emails (comma separated)")
            phone = _ask_list("Your phones (comma separated)")
        name = (name or "").strip() or settings.owner.name
        if not name:
            if not on_terminal:
                err.print('kithkin init needs your name and has no terminal to ask on: give --name "Your Name".')
                raise typer.Exit(2)
            name = _ask_name(None)
        settings.owner = Owner(name=name, emails=email or settings.owner.emails, phones=phone or settings.owner.phones)
        stores = local_stores(settings)
        added = add_sources(
            settings,
            [
                store
                for store in stores
                if add_found or (on_terminal and not store.problem and not store.configured and _offer(store))
            ],
        )
        config_path = save_settings(path, settings)
        mappings_path = write_default_mappings(path)
        Workspace.open(path).close()
    except KithkinError as exc:
        _fail(str(exc))
    found = [{**store.as_dict(), "added": store in added} for store in stores]
    lines = [f"Kithkin home ready at {path}"]
    lines += [s.problem or f"{s.label} ({s.path}) will be kept current." for s in stores if s.problem or s in added]
    _emit(
        as_json,
        {"home": str(path), "config": str(config_path), "mappings": str(mappings_path), "local_stores": found},
        lambda: out.print("\n".join(lines), markup=False, highlight=False),
    )


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _ask_name(known: str | None) -> str:
    """Asked until given: an empty owner would make the user a contact of their own."""
    while True:
        answer = typer.prompt("Your name", default=known or "", show_default=bool(known)).strip()
        if answer:
            return answer
        err.print("Your name is needed: Kithkin uses it to know which messages are yours.")


def _ask_list(question: str) -> list[str]:
    return [item.strip() for item in typer.prompt(question, default="", show_default=False).split(",") if item.strip()]


def _offer(store: Any) -> bool:
    return typer.confirm(f"Keep {store.label} ({store.path}) current as a live source?", default=True)


@app.command("import")
def import_(
    source: Annotated[SourceName, typer.Argument(help="The kind of data: the format is detected from the files.")],
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders to search for the source's files.")],
    account: Annotated[str | None, typer.Option("--account", help="Label for this account (work, personal).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Ignore the stored cursor and read everything.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import files or folders of one source; importing the same data twice adds nothing."""
    from kithkin.ingest import import_paths

    source_name = source.value
    try:
        with _workspace(home) as workspace:
            bar, update = _progress_bar(not as_json, f"Importing {source_name}")
            if bar:
                with bar:
                    summary = import_paths(workspace, source_name, paths, account=account, full=full, progress=update)
            else:
                summary = import_paths(workspace, source_name, paths, account=account, full=full)
    except KithkinError as exc:
        _fail(str(exc))
    data = summary.as_dict()
    _emit(as_json, data, lambda: _print_summary(data))


def _print_summary(data: dict[str, Any]) -> None:
    table = Table(title=f"Imported {data['source']}", show_header=False)
    for key, value in data.items():
        if key not in ("source", "errors", "files_read", "files_left_out"):
            # Text, not markup: a reason or a file name may hold square brackets.
            table.add_row(Text(key.replace("_", " ")), Text(_detail_text(value)), end_section=key == "skipped")
    out.print(table)
    left_out = data.get("files_left_out") or {}
    if "files_read" in data:
        out.print(f"Read {len(data['files_read'])} files; left out {len(left_out)}.")
    for path, reason in list(left_out.items())[:10]:
        out.print(Text(f"left out: {path} ({reason})"))
    if len(left_out) > 10:
        out.print(f"… and {len(left_out) - 10} more files left out (all of them are in --json).")
    if not data.get("interactions") and not data.get("source_entities"):
        out.print(_nothing_new(data), markup=False, highlight=False)
    for message in data["errors"][:10]:
        err.print(f"skipped: {message}")


def _nothing_new(data: dict[str, Any]) -> str:
    """Why an import stored nothing new, in the coverage sections importers report (importers/base.tally)."""
    if any(data.get("imported", {}).values()):
        return "Nothing new: all of it was imported before."
    if data.get("left_out") or data.get("skipped"):
        return "Nothing was imported: everything read was left out or skipped (see above)."
    if "read" in data and not any(data["read"].values()):
        return "Nothing was imported: the file holds nothing this importer reads."
    return "Nothing new was stored."


def _detail_text(value: object) -> str:
    """A coverage figure as words: {"cancelled": 2, "outside live-sync window": 340} → "cancelled 2, outside …"."""
    if isinstance(value, dict):
        # {reason: count}, or {file: why it was left out}
        parts = (f"{k} ({v})" if isinstance(v, str) else f"{k} {_detail_text(v)}" for k, v in value.items())
        return ", ".join(parts) or "none"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "none"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


@app.command()
def sync(
    sources: Annotated[
        list[LiveSourceName] | None, typer.Argument(help="Source types to sync (default: all configured).")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    watch: Annotated[bool, typer.Option("--watch", help="Keep syncing as sources change, until stopped.")] = False,
) -> None:
    """Sync the live sources configured in config.yaml (with --watch: keep them current, as `serve` does)."""
    from kithkin.sync import sync_sources

    chosen = [source.value for source in sources] if sources else None
    try:
        if watch:
            from kithkin.live.foreground import run

            if chosen:
                raise KithkinError("kithkin sync --watch keeps every configured source current; leave out the names.")
            _existing(home).close()  # a typo in --home must not make an empty home to watch
            return run(_home(home), lambda line: out.print(line, markup=False, highlight=False))
        with _existing(home) as workspace:
            bar, update = _progress_bar(not as_json, "Syncing")
            if bar:
                with bar:
                    results = sync_sources(workspace, chosen, progress=update)
            else:
                results = sync_sources(workspace, chosen)
    except KithkinError as exc:
        _fail(str(exc))
    data = {"results": [r.as_dict() for r in results]}
    _emit(as_json, data, lambda: [_print_summary(r) for r in data["results"]] or out.print("Nothing to sync."))


@app.command("people")
def people_(
    query: Annotated[str | None, typer.Argument(help="Search names, emails, phones, companies.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    sort: Annotated[SortOrder, typer.Option(help="Order of the list.")] = SortOrder("strength"),
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """List or search people."""
    from kithkin.cli_views import people_table
    from kithkin.store import people

    try:
        with _existing(home) as workspace:
            items, total = people.list_people(workspace.conn, q=query, sort=sort.value, limit=limit)
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        out.print(people_table(items))
        out.print(f"{len(items)} of {total} people" if len(items) < total else f"{total} people")

    _emit(as_json, {"items": items, "total": total}, render)


@app.command("search")
def search_(
    query: Annotated[str, typer.Argument(help='Words, "a phrase" or a prefix*; accents do not matter.')],
    person: Annotated[
        str | None, typer.Option("--person", help="Only conversations with this person (name, id).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source (mail, imessage …).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search people and every conversation: who matches, who talked about it, and what was said."""
    from kithkin.insight import search
    from kithkin.search_text import print_results

    try:
        with _workspace(home) as workspace:
            person_id = search.person_named(workspace.conn, person) if person else None
            results = search.search(workspace.conn, query, person_id=person_id, source=source, limit=limit)
    except KithkinError as exc:
        _fail(str(exc))
    _emit(as_json, results, lambda: print_results(out, results))


@app.command()
def pending(
    limit: Annotated[int, typer.Option(min=1)] = 50,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Proposed links awaiting review, those that matter most first."""
    from kithkin.identity.review import pending_link_views
    from kithkin.store import links

    try:
        with _existing(home) as workspace:
            found, total = links.list_pending_links(workspace.conn, limit=limit)
            items = pending_link_views(workspace.conn, found)
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        from kithkin.cli_views import pending_table

        out.print(pending_table(items))
        shown = f"{len(items)} of {total}" if len(items) < total else str(total)
        out.print(f"{shown} pending links.")
        out.print("Decide with kithkin link confirm ID or reject ID; the start of the id is enough.")

    _emit(as_json, {"items": items, "total": total}, render)


def _full_link_id(workspace: Workspace, given: str) -> str:
    from kithkin.store import links

    found = links.link_ids_starting_with(workspace.conn, given)
    if len(found) > 1 and given not in found:
        raise KithkinError(f"Several pending links start with {given}; give more of the id.")
    return found[0] if len(found) == 1 else given  # an unknown id is refused by the decision in its words


@link_app.command("confirm")
def link_confirm(
    link_id: Annotated[str, typer.Argument(help="The link's id, or its start as kithkin pending shows it.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm a proposed link."""
    from kithkin.identity.review import confirm_link

    try:
        with _existing(home) as workspace:
            link_id = _full_link_id(workspace, link_id)
            link = confirm_link(workspace.conn, link_id, workspace.mappings.domains())
    except KithkinError as exc:
        _fail(str(exc))
    _emit(as_json, link, lambda: out.print(f"Confirmed {link_id}."))


@link_app.command("reject")
def link_reject(
    link_id: Annotated[str, typer.Argument(help="The link's id, or its start as kithkin pending shows it.")],
    new_person: Annotated[bool, typer.Option("--new-person", help="Give it a person of its own.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a proposed link; the same pair is never proposed again."""
    from kithkin.identity.review import reject_link

    try:
        with _existing(home) as workspace:
            link_id = _full_link_id(workspace, link_id)
            link = reject_link(
                workspace.conn, link_id, create_new_person=new_person, domain_mappings=workspace.mappings.domains()
            )
    except KithkinError as exc:
        _fail(str(exc))
    _emit(as_json, link, lambda: out.print(f"Rejected {link_id}."))


@app.command()
def stats(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Counts by source, people, links and interactions."""
    from kithkin.services import statistics

    try:
        with _existing(home) as workspace:
            data = statistics(workspace.conn)
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        table = Table("figure", "value")
        for key in ("people", "source_entities", "interactions", "relationships", "pending_links"):
            table.add_row(key.replace("_", " "), str(data[key]))
        for source, count in sorted(data["interactions_by_source"].items()):
            table.add_row(f"interactions: {source}", str(count))
        for cover in data["coverage"]:
            span = f", {cover['first_month']} to {cover['last_month']}" if cover["first_month"] else ""
            table.add_row(
                f"coverage: {cover['source_type']}",
                f"{cover['linked_share']:.0%} of {cover['entities'] - cover['owner_entities']} identities linked, "
                f"{cover['people']} people, {cover['pending_links']} pending{span}",
            )
        out.print(table)

    _emit(as_json, data, render)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="json (lossless), csv or vcf.")] = ExportFormat("json"),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written (file, format, people).")] = False,
) -> None:
    """Export all people."""
    from kithkin.private_files import write_private
    from kithkin.services import export_people

    if as_json and output is None:
        err.print("--json reports what the export wrote: give -o FILE for the people themselves.")
        raise typer.Exit(2)
    try:
        with _existing(home) as workspace:
            text, count = export_people(workspace.conn, fmt.value)
        if output:
            write_private(output, text)
    except KithkinError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"Could not write {output} ({exc.strerror or exc}); check the folder exists and is writable.")
    if output is None:
        sys.stdout.write(text)
        err.print(f"Exported {count} people as {fmt.value} to standard output.")
        return
    _emit(
        as_json,
        {"file": str(output.resolve()), "format": fmt.value, "people": count},
        lambda: out.print(f"Exported {count} people as {fmt.value} to {output}"),
    )


@app.command("import-people")
def import_people_(
    path: Annotated[Path, typer.Argument(help="A file written by `kithkin export --format json`.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read back a JSON export (people_entities.json shape)."""
    from kithkin.services import import_people

    try:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KithkinError(f"{path} cannot be read as JSON ({exc.__class__.__name__}); check the file.") from exc
        with _workspace(home) as workspace:
            result = import_people(workspace.conn, data)
    except KithkinError as exc:
        _fail(str(exc))
    _emit(as_json, result, lambda: out.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.items())))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8765).")] = None,
    home: HomeOption = None,
) -> None:
    """Serve the API and the web UI."""
    from kithkin.api.server import run_server

    try:
        _existing(home).close()
        run_server(_home(home), host=host, port=port)
    except KithkinError as exc:
        _fail(str(exc))


@app.command()
def demo(
    home: HomeOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8765).")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo home, do not serve it.")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="Rebuild the demo home, losing what you did in it.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The built-in demo data set in its own home, then serve it; run again, it keeps that home as you left it."""
    from kithkin.demo import build_demo

    path = (home or Path.cwd() / "demo-home").expanduser()
    try:
        report = build_demo(path, fresh=fresh)
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        figures = f"{report['people']} people, {report['interactions']} interactions"
        if report["kept"]:
            out.print(f"Demo home at {path} kept as you left it ({figures}); --fresh rebuilds it.")
        else:
            out.print(f"Demo home at {path}: {figures}.")

    _emit(as_json, report, render)
    if not no_serve:
        from kithkin.api.server import run_server

        run_server(path, host=host, port=port)


@app.command()
def backup(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Backup file (default: HOME/backups)")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a consistent copy of the database (safe while the server runs)."""
    from kithkin.store.backup import backup_to, timestamped_name

    try:
        with _existing(home) as workspace:
            target = backup_to(workspace.conn, output or workspace.home / "backups" / timestamped_name("crm"))
    except KithkinError as exc:
        _fail(str(exc))
    _emit(as_json, {"backup": str(target)}, lambda: out.print(f"Backup written to {target}"))


@app.command()
def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `kithkin backup`.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace the database by a backup; the current database is kept as a backup first."""
    from kithkin.config import DATABASE_FILE
    from kithkin.store.backup import restore_from, timestamped_name

    path = _home(home)
    safety = path / "backups" / timestamped_name("before-restore")
    try:
        restore_from(backup_file, path / DATABASE_FILE, safety)
        Workspace.open(path).close()  # migrates an older backup to this version
    except KithkinError as exc:
        _fail(str(exc))
    _emit(
        as_json,
        {"restored": str(backup_file), "previous": str(safety)},
        lambda: out.print(f"Restored {backup_file}; the previous database is at {safety}"),
    )


@app.command("migrate-lifeos")
def migrate_lifeos(
    people_file: Annotated[Path | None, typer.Argument(help="LifeOS people_entities.json")] = None,
    interactions_db: Annotated[Path | None, typer.Argument(help="LifeOS interactions.db")] = None,
    rollback: Annotated[bool, typer.Option("--rollback", help="Undo the last LifeOS migration.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Convert a LifeOS people store (backed up first); --rollback puts the database back as it was."""
    from kithkin import lifeos

    try:
        if rollback:
            result: dict[str, Any] = lifeos.rollback(_home(home))
        elif people_file is None or interactions_db is None:
            err.print("Give the LifeOS people_entities.json and interactions.db, or --rollback.")
            raise typer.Exit(2)
        else:
            with _workspace(home) as workspace:
                result = lifeos.migrate(workspace, people_file, interactions_db)
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        if rollback:
            out.print(f"Rolled back to {result['restored']}")
            return
        table = Table("", "LifeOS", "Kithkin")
        table.add_row("people", str(result["before"]["people"]), str(result["after"]["people"]))
        table.add_row("interactions", str(result["before"]["interactions"]), str(result["after"]["interactions_added"]))
        out.print(table)
        out.print(f"Backup of the database before the migration: {result['backup']}")

    _emit(as_json, result, render)


@app.command("facts")
def facts_(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the strongest people.")] = 50,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Extract quick facts (birthday, company, how you met, last topics…) for the strongest people."""
    from kithkin.insight import facts
    from kithkin.store import db, people
    from kithkin.store import facts as facts_store

    try:
        with _existing(home) as workspace:
            with db.transaction(workspace.conn):
                counts = facts.refresh(workspace.conn, limit)
            found = {
                person_id: {
                    "name": (people.get_person(workspace.conn, person_id) or {}).get("canonical_name"),
                    "facts": facts_store.facts_of(workspace.conn, person_id),
                }
                for person_id in counts
            }
    except KithkinError as exc:
        _fail(str(exc))

    def render() -> None:
        for entry in found.values():
            out.print(entry["name"], style="bold")
            for fact in entry["facts"]:
                out.print(f"  {fact['kind']}: {fact['value']}  ({fact['source_type']})")

    _emit(as_json, {"people": found}, render)


KindOption = Annotated[str | None, typer.Option("--kind", help="launchd or systemd (default: this system's).")]


@service_app.command("install")
def service_install(
    home: HomeOption = None,
    as_json: JsonOption = False,
    kind: KindOption = None,
    no_start: Annotated[bool, typer.Option("--no-start", help="Only write the service file.")] = False,
) -> None:
    """Write the login service for this home and start it."""
    from kithkin.live import service

    _service_report(as_json, lambda: service.install(_home(home), kind=service.check_kind(kind), start=not no_start))


@service_app.command("uninstall")
def service_uninstall(as_json: JsonOption = False, kind: KindOption = None) -> None:
    """Stop the login service and remove its file."""
    from kithkin.live import service

    _service_report(as_json, lambda: service.uninstall(kind=service.check_kind(kind)))


@service_app.command("status")
def service_status(as_json: JsonOption = False, kind: KindOption = None) -> None:
    """Whether the login service is installed and running."""
    from kithkin.live import service

    _service_report(as_json, lambda: service.status(kind=service.check_kind(kind)))


def _service_report(as_json: bool, action: Callable[[], dict[str, Any]]) -> None:
    from kithkin.live.service import describe

    try:
        data = action()
    except (KithkinError, OSError) as exc:
        _fail(str(exc))
    _emit(as_json, data, lambda: out.print("\n".join(describe(data)), markup=False, highlight=False))


def main() -> None:
    try:
        app()
    except KithkinError as exc:  # a service error that escaped a command
        err.print(str(exc))
        raise SystemExit(1) from exc
