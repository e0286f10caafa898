"""Hostile files (issue 18): each imported or refused in ≤ 10 s with peak RSS ≤ 300 MB, no traceback,
and the server answering other requests meanwhile.

Built here, cheaply: a 340-byte calendar repeating every second (and one every minute), a LinkedIn
export zip holding a 3 GB Connections.csv, a 2 GB file for every source (sparse: a real head, then a
hole that costs no disk), a 900 MB file that is one record for every streamed text format (under the
whole-file cap, so the record's own cap must refuse it), Granola JSON nested 200,000 deep, a mail whose
header block is 50 MB.
Each goes through `kithkin import` in a process of its own (its time, peak RSS, exit code and stderr),
then the small ones are uploaded to a running `kithkin serve` while another client keeps asking it for
statistics (its slowest answer, and the peak RSS of the server and its job processes).
Run: `PYTHONPATH=src .venv/bin/python bench/hostile.py`.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import httpx

from common import start_server
from kithkin.workspace import Workspace

LIMIT_SECONDS, LIMIT_MB = 10.0, 300
GB = 1024**3
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hostile//Bench//EN\r\nBEGIN:VEVENT\r\n"
    "UID:{freq}@bench.example\r\nDTSTART:20250101T090000Z\r\nDTEND:20250101T093000Z\r\nRRULE:FREQ={freq}\r\n"
    "SUMMARY:Weekly sync with the whole team\r\nLOCATION:Room 4\r\n"
    "ORGANIZER;CN=Ana Silva:mailto:ana@x.org\r\nATTENDEE;CN=Bob Jones:mailto:bob@y.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
MBOX_HEAD = b"From ana@x.org Thu Jan  2 10:00:00 2025\nFrom: Ana <ana@x.org>\nTo: me@x.org\nSubject: hi\n"


def sparse(path: Path, head: bytes, size: int = 2 * GB) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)
    return path


def linkedin_bomb(path: Path, size: int = 3 * GB) -> Path:
    """A real zip whose one deflated member, Basic_LinkedInDataExport/Connections.csv, unpacks to `size`
    bytes of CSV rows (under 4 GiB: no zip64 needed). The same megabyte compressed once and ended with a
    full flush is a self-contained piece of deflate stream, so it is repeated rather than recompressed."""
    block = (b"Ana,Silva,https://www.linkedin.com/in/ana,,Acme,Engineer,12 Mar 2024\n" * 16_000)[: 1 << 20]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    ending = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    count = size // len(block)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    name = b"Basic_LinkedInDataExport/Connections.csv"
    packed, unpacked = count * len(piece) + len(ending), count * len(block)
    # DEFLATE (8), no flags, 2025-01-01 00:00 in DOS time and date.
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, (45 << 9) | (1 << 5) | 1, crc, packed, unpacked)
    with path.open("wb") as out:
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name)
        for _ in range(count):
            out.write(piece)
        out.write(ending)
        directory = out.tell()
        entry = b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0)
        out.write(entry + name)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(entry) + len(name), directory, 0))
    return path


def build(folder: Path) -> list[tuple[str, str, Path, bool]]:
    """(label, source, path, small enough to upload) for every hostile file."""
    cases: list[tuple[str, str, Path, bool]] = []
    for freq in ("SECONDLY", "MINUTELY"):
        path = folder / f"{freq.lower()}.ics"
        path.write_text(EVENT.format(freq=freq))
        cases.append((f"{path.stat().st_size}-byte calendar, RRULE {freq}", "calendar", path, True))
    started = time.perf_counter()
    bomb = linkedin_bomb(folder / "Basic_LinkedInDataExport.zip")
    built = time.perf_counter() - started
    cases.append(
        (
            f"LinkedIn zip bomb ({bomb.stat().st_size / 2**20:.0f} MB zip, 3 GB CSV; built in {built:.1f} s)",
            "linkedin",
            bomb,
            True,
        )
    )
    deep = folder / "cache-v3.json"
    deep.write_text('{"cache": ' + "[" * 200_000 + "]" * 200_000 + "}")
    cases.append(("Granola JSON nested 200,000 deep", "granola", deep, True))
    header = folder / "header.mbox"
    with header.open("wb") as handle:
        handle.write(MBOX_HEAD)
        line = b"X-Junk: " + b"a" * 990 + b"\n"
        for _ in range(50 * 1024):
            handle.write(line)
        handle.write(b"\nbody\n")
    cases.append(("mail with a 50 MB header block", "mail", header, True))
    heads = {
        "imessage": ("chat.db", b"SQLite format 3\x00"),
        "calls": ("calls.xml", b"<?xml version='1.0' encoding='UTF-8'?>\n<calls count=\"1\">\n"),
        "contacts": ("contacts.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Silva\r\nNOTE:"),
        "mail": ("all.mbox", MBOX_HEAD + b"\n"),
        "calendar": ("big.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDESCRIPTION:"),
        "linkedin": ("Connections.csv", b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"),
        "whatsapp": ("WhatsApp Chat with Ana.txt", b"12/01/2024, 10:00 - Ana: "),
        "signal": ("signal/Ana/data.json", b'{"date": "2024-01-01 10:00:00", "sender": "Ana", "body": "'),
        "slack": ("slack-export.zip", b"PK\x03\x04"),
        "vault": ("vault/Ana Silva.md", b"---\ntags: [person]\n---\n# Ana Silva\n"),
        "granola": ("granola/cache-v3.json", b'{"cache": "'),
    }
    for source, (name, head) in heads.items():
        path = sparse(folder / "2gb" / source / name, head)
        target = path.parent if source in ("signal", "vault") else path
        cases.append((f"2 GB {name}", source, target, False))
    # Streamed formats refuse a file over limits.STREAMED_FILE unread; below it, a file that is one endless
    # record is refused by the record's cap once that much of it is read.
    for source in ("contacts", "calendar", "linkedin", "whatsapp"):
        name, head = heads[source]
        path = sparse(folder / "900mb" / source / name, head, 900 * 2**20)
        cases.append((f"900 MB {name}, one record", source, path, False))
    return cases


def run_cli(source: str, path: Path, home: Path) -> tuple[float, float, int, str]:
    """(seconds, peak RSS MB, exit code, stderr) of `kithkin import SOURCE PATH` in a process of its own."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "kithkin", "import", source, str(path), "--home", str(home), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        deadline = started + 60
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), stderr


def descendants_peak(root: int) -> float:
    """The largest peak RSS (MB) among `root` and the processes under it (job processes)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    family, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        grown, family = bool(more), family | more
    peak = 0.0
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def serve_and_upload(cases: list[tuple[str, str, Path, bool]], home: Path) -> None:
    Workspace.open(home).close()  # serve wants a home that is there
    server, address = start_server(home, stderr=subprocess.PIPE)
    base = f"{address}/api/crm"
    stop = threading.Event()
    try:
        slowest, failures, peak = [0.0], [0], [0.0]

        def ping() -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    began = time.perf_counter()
                    try:
                        ok = client.get(f"{base}/statistics").status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    slowest[0] = max(slowest[0], time.perf_counter() - began)
                    failures[0] += not ok
                    peak[0] = max(peak[0], descendants_peak(server.pid))
                    time.sleep(0.1)

        pinger = threading.Thread(target=ping, daemon=True)
        pinger.start()
        print("\nuploads to a running server (POST /sources/import, then the job until it ends):")
        with httpx.Client(timeout=60) as client:
            for label, source, path, small in cases:
                if not small:
                    continue
                began = time.perf_counter()
                with path.open("rb") as handle:
                    response = client.post(
                        f"{base}/sources/import", data={"source": source}, files=[("files", (path.name, handle))]
                    )
                outcome = f"HTTP {response.status_code}"
                if response.status_code == 202:
                    job = response.json()
                    while job["state"] in ("queued", "running") and time.perf_counter() - began < 60:
                        time.sleep(0.05)
                        job = client.get(f"{base}/jobs/{job['id']}").json()
                    outcome += f", job {job['state']}" + (
                        f": {job['summary']['interactions']} interactions" if job.get("summary") else ""
                    )
                else:
                    outcome += f": {response.json()['detail'][:90]}"
                seconds = time.perf_counter() - began
                verdict = "ok" if seconds <= LIMIT_SECONDS and response.status_code < 500 else "FAIL"
                print(f"  {verdict:4} {label}: {seconds:.2f} s, {outcome}")
        stop.set()
        pinger.join()
        print(
            f"  meanwhile GET /statistics: slowest {slowest[0] * 1000:.0f} ms, {failures[0]} failed;"
            f" peak RSS of the server and its jobs {peak[0]:.0f} MB (goal ≤ {LIMIT_MB})"
        )
    finally:
        stop.set()
        server.terminate()
        _, err = server.communicate(timeout=30)
        if b"Traceback" in err:
            print("  FAIL the server printed a traceback:\n" + err.decode()[-2000:])


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cases = build(folder)
        print(f"{'':4} {'file':58} {'source':9} {'seconds':>8} {'peak MB':>8}  exit  what it said")
        worst_seconds, worst_mb = 0.0, 0.0
        for label, source, path, _ in cases:
            seconds, megabytes, code, stderr = run_cli(source, path, folder / "home")
            said = " ".join(stderr.split())
            ok = seconds <= LIMIT_SECONDS and megabytes <= LIMIT_MB and code in (0, 1) and "Traceback" not in stderr
            worst_seconds, worst_mb = max(worst_seconds, seconds), max(worst_mb, megabytes)
            print(
                f"{'ok' if ok else 'FAIL':4} {label[:58]:58} {source:9} {seconds:8.2f} {megabytes:8.0f}  {code:4}"
                f"  {said[:110] or '(imported)'}"
            )
        print(f"worst: {worst_seconds:.2f} s, {worst_mb:.0f} MB (goal ≤ {LIMIT_SECONDS:.0f} s, ≤ {LIMIT_MB} MB)")
        serve_and_upload(cases, folder / "served")


if __name__ == "__main__":
    main()
