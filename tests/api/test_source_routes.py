"""Sources, uploads imported as jobs, live syncs and job polling: 202, 404, 409, 413, 422."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from kithkin.api.app import create_app
from kithkin.config import LiveSource, load_settings, save_settings
from kithkin.workspace import Workspace
from tests.api import calllog
from tests.api.conftest import call_rows, write_log

API = "/api/crm"


def finished(client, job: dict) -> dict:
    client.app.state.jobs.wait(30)
    response = client.get(f"{API}/jobs/{job['id']}")
    assert response.status_code == 200
    return response.json()


def upload(client, source: str, *files: tuple[str, bytes]):
    return client.post(
        f"{API}/sources/import", data={"source": source}, files=[("files", (name, data)) for name, data in files]
    )


def counts(workspace: Workspace) -> tuple[int, int, int, int]:
    conn = workspace.conn
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("people", "source_entities", "interactions", "sync_state")
    )


def test_sources_list_what_each_holds(client):
    response = client.get(f"{API}/sources")
    assert response.status_code == 200
    body = response.json()
    by_name = {s["name"]: s for s in body["items"]}
    assert body["total"] == len(body["items"])
    assert (by_name["mail"]["source_entities"], by_name["mail"]["interactions"]) == (4, 3)
    assert (by_name["whatsapp"]["source_entities"], by_name["whatsapp"]["interactions"]) == (4, 3)
    assert by_name["imap"]["live"] is True and by_name["imap"]["configured"] == []
    assert by_name["mail"]["last_job"] is None


def test_upload_is_imported_as_a_job_with_progress_and_summary(client, calllog_source, tmp_path):
    first = write_log(tmp_path / "a.csv", call_rows(3)).read_bytes()
    finn = call_rows(2, phone="+14155550198", name="Finn Ode")
    second = write_log(tmp_path / "b.csv", [*finn, ["broken"]]).read_bytes()
    response = upload(client, calllog_source, ("a.csv", first), ("b.csv", second))
    assert response.status_code == 202
    job = response.json()
    assert (job["kind"], job["source"]) == ("import", "calllog")
    assert job["state"] in ("queued", "running", "succeeded")
    done = finished(client, job)
    assert done["state"] == "succeeded" and done["error"] is None
    assert done["done"] == 5  # observations stored; the broken row is counted as skipped
    summary = done["summary"]
    assert (summary["files"], summary["interactions"], summary["source_entities"], summary["skipped"]) == (2, 5, 2, 1)
    assert summary["errors"] == ["b.csv line 4: expected 4 fields"]
    eve = client.get(f"{API}/people", params={"q": "eve ray"}).json()
    assert eve["total"] == 1 and eve["items"][0]["interaction_count"] == 3
    by_name = {s["name"]: s for s in client.get(f"{API}/sources").json()["items"]}
    assert by_name["calllog"]["interactions"] == 5
    assert by_name["calllog"]["last_job"]["id"] == job["id"]
    assert not any((client.app.state.workspace.home / "uploads").iterdir())


def test_the_same_upload_twice_adds_nothing(client, calllog_source, tmp_path):
    data = write_log(tmp_path / "a.csv", call_rows(4)).read_bytes()
    finished(client, upload(client, calllog_source, ("a.csv", data)).json())
    again = finished(client, upload(client, calllog_source, ("a.csv", data)).json())
    assert (again["summary"]["interactions"], again["summary"]["source_entities"]) == (0, 0)


def test_folder_uploads_keep_their_tree_inside_the_upload_folder(client, calllog_source, tmp_path):
    data = write_log(tmp_path / "a.csv", call_rows(1)).read_bytes()
    response = upload(client, calllog_source, ("../../escape.csv", data), ("logs/sub/a.csv", data))
    # The folder "logs" is not a call log file: the importer refuses it before anything is written.
    assert response.status_code == 422
    assert response.json()["detail"] == "logs is not a calllog export; check the file or choose another source."
    assert not (client.app.state.workspace.home.parent / "escape.csv").exists()
    assert not any((client.app.state.workspace.home / "uploads").iterdir())


def test_a_file_of_another_format_is_refused_before_anything_is_written(client, calllog_source, filled):
    before = counts(filled)
    good = b"when,name,phone,direction\n2024-04-01T10:00:00+00:00,Eve Ray,+14155550199,in\n"
    response = upload(client, calllog_source, ("good.csv", good), ("notes.csv", b"title,body\nhello,world\n"))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "notes.csv: is not a call log: the first line must be when,name,phone,direction"
    }
    wrong_suffix = upload(client, calllog_source, ("calls.txt", good))
    assert wrong_suffix.status_code == 422
    expected = "calls.txt is not a calllog export; check the file or choose another source."
    assert wrong_suffix.json()["detail"] == expected
    assert counts(filled) == before
    assert client.get(f"{API}/jobs").json()["total"] == 0


def test_unknown_source_or_no_file_is_422(client, calllog_source):
    unknown = upload(client, "myspace", ("a.csv", b"x"))
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("Unknown source 'myspace'; choose one of:")
    unnamed = client.post(f"{API}/sources/import", files=[("files", ("a.csv", b"x"))])
    assert unnamed.status_code == 422
    assert unnamed.json()["detail"].startswith("Name the source of the files in the field 'source', one of: ")
    nothing = client.post(f"{API}/sources/import", data={"source": calllog_source})
    assert (nothing.status_code, nothing.json()) == (422, {"detail": "Attach at least one file as 'files'."})
    not_multipart = client.post(f"{API}/sources/import", json={"source": calllog_source})
    assert not_multipart.status_code == 422


def test_an_upload_over_the_limit_is_413_and_nothing_stays(filled, calllog_source):
    settings = load_settings(filled.home)
    settings.server.max_upload_mb = 1
    save_settings(filled.home, settings)
    with Workspace.open(filled.home) as limited:
        client = TestClient(create_app(workspace=limited))
        big = os.urandom(1024 * 1024 + 1)
        response = upload(client, calllog_source, ("big.csv", big))
        assert response.status_code == 413
        assert response.json() == {"detail": "The upload is larger than 1 MB; raise server.max_upload_mb."}

        def chunks():  # no Content-Length: the limit is counted as the body streams in
            yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
            for _ in range(20):
                yield b"x" * 65536
            yield b"\r\n--b--\r\n"

        chunked = client.post(
            f"{API}/sources/import", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
        )
        assert chunked.status_code == 413
        assert not (limited.home / "uploads").exists() or not any((limited.home / "uploads").iterdir())


def test_a_job_failing_midway_reports_it_and_importing_again_completes_it(client, calllog_source, filled, tmp_path):
    before = counts(filled)
    # More rows than one ingest batch: batches are stored as the job goes, and stay after the failure.
    rows = call_rows(5200)
    data = write_log(tmp_path / "calls.csv", [*rows, ["FAIL"]]).read_bytes()
    job = finished(client, upload(client, calllog_source, ("calls.csv", data)).json())
    assert job["state"] == "failed"
    assert job["error"] == "calls.csv: reading failed (Input/output error); check the file and try again."
    assert job["summary"] is None
    assert before[2] < counts(filled)[2] <= before[2] + 5200
    again = finished(
        client, upload(client, calllog_source, ("calls.csv", write_log(tmp_path / "b.csv", rows).read_bytes())).json()
    )
    assert again["state"] == "succeeded"
    assert counts(filled)[:3] == (before[0] + 1, before[1] + 1, before[2] + 5200)
    assert client.get(f"{API}/people", params={"q": "eve"}).json()["total"] == 1


def test_one_job_per_source_at_a_time_and_reads_go_on_meanwhile(client, calllog_source, tmp_path):
    data = write_log(tmp_path / "a.csv", call_rows(3)).read_bytes()
    calllog.pause.set()
    try:
        job = upload(client, calllog_source, ("a.csv", data)).json()
        assert calllog.paused.wait(10)
        assert client.get(f"{API}/jobs/{job['id']}").json()["state"] == "running"
        second = upload(client, calllog_source, ("a.csv", data))
        assert second.status_code == 409
        busy = f"A calllog import is already running (job {job['id']}); wait for it to finish."
        assert second.json()["detail"] == busy
        started = time.monotonic()
        people = client.get(f"{API}/people")
        assert people.status_code == 200 and people.json()["total"] == 6
        assert time.monotonic() - started < 5  # not waiting for the writer (its transaction is open)
    finally:
        calllog.resume.set()
    assert finished(client, job)["state"] == "succeeded"


def test_sync_runs_configured_live_sources_as_a_job(filled, calllog_source, tmp_path):
    log = write_log(tmp_path / "phone.csv", call_rows(4))
    settings = load_settings(filled.home)
    settings.sources = [LiveSource(type="calllog", account="phone", path=str(log))]
    save_settings(filled.home, settings)
    with Workspace.open(filled.home) as configured, TestClient(create_app(workspace=configured)) as client:
        response = client.post(f"{API}/sources/calllog/sync")
        assert response.status_code == 202
        job = finished(client, response.json())
        assert job["state"] == "succeeded" and job["kind"] == "sync"
        assert (job["summary"]["interactions"], job["summary"]["files"]) == (4, 1)
        again = finished(client, client.post(f"{API}/sources/calllog/sync").json())
        assert again["summary"]["interactions"] == 0  # resumed from its cursor
        source = {s["name"]: s for s in client.get(f"{API}/sources").json()["items"]}["calllog"]
        assert source["configured"] == ["phone"]
        assert (source["last_status"], source["items_synced"]) == ("ok", 4)


def test_sync_of_an_unconfigured_source_is_404(client):
    response = client.post(f"{API}/sources/imap/sync")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No live source of type 'imap' is configured; add one under 'sources' in config.yaml."
    }


def test_unknown_job_is_404(client):
    response = client.get(f"{API}/jobs/job_nope")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("There is no job job_nope")


# A month ago: the calendar importer reads a window around today.
WHEN = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y%m%d")
INVITE = f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:kickoff-1@example.org\r
DTSTAMP:{WHEN}T090000Z\r
DTSTART:{WHEN}T100000Z\r
DTEND:{WHEN}T110000Z\r
SUMMARY:Project kickoff\r
ORGANIZER;CN=Owner Person:mailto:me@example.org\r
ATTENDEE;CN=Gil Park;PARTSTAT=ACCEPTED:mailto:gil@park.org\r
ATTENDEE;CN=Ana Silva;PARTSTAT=ACCEPTED:mailto:ana@x.org\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_real_calendar_file_uploads_through_the_calendar_importer(client, filled):
    response = upload(client, "calendar", ("team.ics", INVITE.encode()))
    assert response.status_code == 202
    job = finished(client, response.json())
    assert job["state"] == "succeeded", job["error"]
    assert (job["summary"]["interactions"], job["summary"]["files"]) == (1, 1)
    gil = client.get(f"{API}/people", params={"q": "gil park"}).json()["items"]
    assert [(p["canonical_name"], p["emails"], p["sources"]) for p in gil] == [
        ("Gil Park", ["gil@park.org"], ["calendar"])
    ]
    ana = client.get(f"{API}/people", params={"q": "ana@x.org"}).json()["items"]
    assert sorted(ana[0]["sources"]) == ["calendar", "mail"]


def test_a_corrupt_calendar_file_is_refused_with_the_importers_sentence(client, filled):
    before = counts(filled)
    response = upload(client, "calendar", ("team.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nthis is not ical\r\n"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("team.ics: ")
    assert counts(filled) == before


def test_jobs_are_listed_newest_first(client, calllog_source, tmp_path):
    first = finished(
        client,
        upload(client, calllog_source, ("a.csv", write_log(tmp_path / "a.csv", call_rows(1)).read_bytes())).json(),
    )
    second = finished(
        client,
        client.post(
            f"{API}/sources/import",
            data={"source": calllog_source},
            files=[("files", ("b.csv", write_log(tmp_path / "b.csv", call_rows(2)).read_bytes()))],
        ).json(),
    )
    listed = client.get(f"{API}/jobs").json()
    assert listed["total"] == 2
    assert [j["id"] for j in listed["items"]] == [second["id"], first["id"]]
    assert [j["id"] for j in client.get(f"{API}/jobs", params={"limit": 1, "offset": 1}).json()["items"]] == [
        first["id"]
    ]


def test_upload_folders_left_by_a_stopped_server_are_removed_at_start(filled):
    stale = filled.home / "uploads" / "old"
    fresh = filled.home / "uploads" / "new"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "calls.csv").write_text("when,name,phone,direction\n")
    long_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (long_ago, long_ago))
    create_app(workspace=filled)
    assert (stale.exists(), fresh.exists()) == (False, True)


def test_a_vault_folder_uploads_with_its_tree_and_names_through_the_vault_importer(client):
    page = b"---\nemail: gil@obrien.ie\n---\n# Gil O'Brien\n"
    note = b"---\ndate: 2024-06-01\n---\nLunch with [[Gil O'Brien]] about the garden.\n"
    response = upload(
        client, "vault", ("MyVault/People/Gil O'Brien.md", page), ("MyVault/Personal/2024-06-01 Lunch.md", note)
    )
    assert response.status_code == 202, response.text
    job = finished(client, response.json())
    assert job["state"] == "succeeded", job["error"]
    assert job["summary"]["notes_read"] == 2
    gil = client.get(f"{API}/people", params={"q": "gil@obrien.ie"}).json()["items"]
    assert [(p["canonical_name"], p["sources"], p["interaction_count"]) for p in gil] == [("Gil O'Brien", ["vault"], 2)]


def test_a_job_runs_in_a_process_of_its_own_and_reports_its_progress(client, calllog_source, tmp_path):
    data = write_log(tmp_path / "a.csv", call_rows(2500)).read_bytes()
    calllog.pause.set("2100")
    try:
        job = upload(client, calllog_source, ("a.csv", data)).json()
        assert calllog.paused.wait(20)
        assert int(calllog.paused.read()) != os.getpid()
        deadline = time.monotonic() + 10
        while (running := client.get(f"{API}/jobs/{job['id']}").json())["done"] < 2000:
            assert time.monotonic() < deadline, running
            time.sleep(0.02)
        assert running["state"] == "running"
        # The batches stored so far are there while the job goes on.
        assert client.get(f"{API}/people", params={"q": "eve"}).json()["total"] == 1
    finally:
        calllog.resume.set()
    done = finished(client, job)
    assert (done["state"], done["done"], done["summary"]["interactions"]) == ("succeeded", 2500, 2500)


def test_a_job_whose_process_dies_reports_it_and_the_source_is_free_again(client, calllog_source, filled, tmp_path):
    data = write_log(tmp_path / "calls.csv", [*call_rows(5200), ["CRASH"]]).read_bytes()
    job = finished(client, upload(client, calllog_source, ("calls.csv", data)).json())
    assert (job["state"], job["summary"]) == ("failed", None)
    assert job["error"] == (
        "The import of calllog stopped unexpectedly (exit code 7);"
        " what it stored before stays, and running it again adds only the rest."
    )
    again = finished(
        client,
        upload(client, calllog_source, ("calls.csv", write_log(tmp_path / "b.csv", call_rows(2)).read_bytes())).json(),
    )
    assert again["state"] == "succeeded"  # the source is free again
