"""Kithkin and Splink side by side on public record-linkage data nobody here wrote (issue 21).

Data: Splink's `fake_1000` (bench/data/fake_1000.csv, from moj-analytical-services/splink_datasets, MIT,
licence beside it) and FEBRL3 (5,000 records, inside the `recordlinkage` package). Each record becomes
what a CRM sees: a mail message `From: "first surname" <email>` where the record has an email, else a
vCard with N/FN, BDAY and ADR; nothing a record lacks is added.

Both run as whole processes, timed with their peak RSS: Kithkin as `kithkin import contacts` and
`kithkin import mail` into a fresh home, Splink (DuckDB, its own tutorial model: bench/peers_splink.py)
in the peers' interpreter. Install the peers apart from Kithkin's dependencies:

    python3 -m venv /work/peers-venv && /work/peers-venv/bin/pip install splink recordlinkage
    PYTHONPATH=src .venv/bin/python bench/peers.py --peers-python /work/peers-venv/bin/python

Prints pairwise precision / recall / F1, B-cubed F and false merges (clusters holding two true people's
records: for Kithkin, a person made of two people) for Splink, Kithkin as imported, and Kithkin after an
oracle answered its pending links (confirming a proposal, or one of its alternatives, when it names the
record's true person; rejecting it otherwise) through the review workflow's own confirm and reject, in an
order of the records alone. Kithkin's ids come from a seed per run (0, 1, …), so each run repeats exactly:
the figures shown are the median run's, with every run's B-cubed F and pending count beside them.
Goals: after review B-cubed F ≥ Splink's with 0 false merges; as imported pairwise precision ≥ 0.995;
pending ≤ 20 % of records; faster than Splink.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from kithkin.identity.review import confirm_link, reject_link
from kithkin.store import db, links, people
from kithkin.workspace import Workspace

HERE = Path(__file__).parent
ROOT = HERE.parent


def fake_1000() -> list[dict]:
    with (HERE / "data" / "fake_1000.csv").open(encoding="utf-8") as handle:
        return [
            {
                "unique_id": r["unique_id"],
                "cluster": r["cluster"],
                "first": r["first_name"],
                "last": r["surname"],
                "dob": r["dob"],
                "email": r["email"],
                "city": r["city"],
                "fields": {k: r[k] for k in ("first_name", "surname", "dob", "city", "email")},
            }
            for r in csv.DictReader(handle)
        ]


def febrl3(peers_python: str) -> list[dict]:
    found = subprocess.run(
        [peers_python, "-c", "import recordlinkage.datasets as d, pathlib; print(pathlib.Path(d.__file__).parent)"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = Path(found.stdout.strip()) / "febrl" / "dataset3.csv"
    records = []
    with path.open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle, skipinitialspace=True):
            r = {k.strip(): (v or "").strip() for k, v in r.items()}
            dob = r["date_of_birth"]
            records.append(
                {
                    "unique_id": r["rec_id"],
                    "cluster": r["rec_id"].split("-")[1],
                    "first": r["given_name"],
                    "last": r["surname"],
                    "dob": f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 and dob.isdigit() else "",
                    "email": "",
                    "street": " ".join(p for p in (r["street_number"], r["address_1"]) if p),
                    "extended": r["address_2"],
                    "city": r["suburb"],
                    "postcode": r["postcode"],
                    "region": r["state"],
                    "fields": {
                        k: r[k]
                        for k in (
                            "given_name",
                            "surname",
                            "street_number",
                            "address_1",
                            "address_2",
                            "suburb",
                            "postcode",
                            "state",
                            "date_of_birth",
                        )
                    },
                }
            )
    return records


def _vcard_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def write_sources(records: list[dict], folder: Path) -> tuple[Path, Path, dict[tuple[str, str], str]]:
    """The records as a .vcf and an mbox; returns their paths and (source, source id) → record ids' key."""
    cards, mails = [], []
    keys: dict[tuple[str, str], str] = {}
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n, r in enumerate(records):
        name = " ".join(p for p in (r["first"], r["last"]) if p)
        if r["email"]:
            when = format_datetime(start + timedelta(minutes=n))
            quoted = f'"{name}" ' if name else ""
            mails.append(
                f"From sender {when}\nFrom: {quoted}<{r['email']}>\nTo: owner@example.org\nDate: {when}\n"
                f"Message-ID: <r{r['unique_id']}@peers.example>\nSubject: record {r['unique_id']}\n\nHello.\n"
            )
            keys[("mail", r["email"].strip().lower())] = r["unique_id"]
            continue
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:r{r['unique_id']}"]
        lines.append(f"N:{_vcard_text(r['last'])};{_vcard_text(r['first'])};;;")
        lines.append(f"FN:{_vcard_text(name)}")
        if r["dob"]:
            lines.append(f"BDAY:{r['dob']}")
        place = [r.get("extended", ""), r.get("street", ""), r["city"], r.get("region", ""), r.get("postcode", "")]
        if any(place):
            lines.append("ADR:;" + ";".join(_vcard_text(p) for p in place) + ";")
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines) + "\r\n")
        keys[("contacts", f"r{r['unique_id']}")] = r["unique_id"]
    vcf, mbox = folder / "cards.vcf", folder / "mail.mbox"
    vcf.write_text("".join(cards), encoding="utf-8")
    mbox.write_text("\n".join(mails), encoding="utf-8")
    return vcf, mbox, keys


def run_process(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def run_splink(name: str, records: list[dict], peers_python: str, folder: Path) -> tuple[dict[str, str], float, float]:
    source, target = folder / f"{name}.csv", folder / f"{name}-clusters.csv"
    columns = list(records[0]["fields"])
    with source.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["unique_id", *columns])
        out.writerows([r["unique_id"], *(r["fields"][c] for c in columns)] for r in records)
    wall, rss = run_process([peers_python, str(HERE / "peers_splink.py"), name, str(source), str(target)])
    with target.open(encoding="utf-8") as handle:
        return {r["unique_id"]: r["cluster_id"] for r in csv.DictReader(handle)}, wall, rss


# Kithkin's ids are random (uuid4), and where two people score alike the tie falls on their ids: each run
# draws them from its own seed, so a run is reproducible and the spread over runs is the ties' spread.
SEEDED_KITHKIN = (
    "import random, runpy, sys, uuid; ids = random.Random(int(sys.argv.pop(1))); "
    "uuid.uuid4 = lambda: uuid.UUID(int=ids.getrandbits(128), version=4); "
    "runpy.run_module('kithkin', run_name='__main__', alter_sys=True)"
)


def run_kithkin(
    records: list[dict], folder: Path, seed: int
) -> tuple[Path, dict[tuple[str, str], str], float, float]:
    home = folder / "home"
    vcf, mbox, keys = write_sources(records, folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    wall, rss = 0.0, 0.0
    for n, (source, path) in enumerate((("contacts", vcf), ("mail", mbox))):
        if path.stat().st_size:
            seeded = [sys.executable, "-c", SEEDED_KITHKIN, str(seed * 2 + n)]
            w, r = run_process([*seeded, "import", source, str(path), "--home", str(home), "--json"], env)
            wall, rss = wall + w, max(rss, r)
    return home, keys, wall, rss


def kithkin_clusters(workspace: Workspace, keys: dict[tuple[str, str], str], records: list[dict]) -> dict[str, str]:
    """record id → person id; records sharing one mail address share its entity."""
    person_of = {
        (r["source_type"], r["source_id"]): r["canonical_person_id"]
        for r in workspace.conn.execute("SELECT source_type, source_id, canonical_person_id FROM source_entities")
    }
    found = {}
    for r in records:
        key = ("mail", r["email"].strip().lower()) if r["email"] else ("contacts", f"r{r['unique_id']}")
        # A nameless sender without an @ is no one to keep: that record stands alone.
        found[r["unique_id"]] = person_of.get(key) or f"dropped-{r['unique_id']}"
    return found


def answer_pending(workspace: Workspace, truth: dict[str, str], records: list[dict]) -> int:
    """The oracle: each pending link confirmed when its proposed person (or an alternative) is mostly the
    entity's true person, rejected otherwise. Returns how many were pending.

    Person ids are random (uuid), so the links are answered in an order of the records alone (the entity's
    record, then the records of the person proposed), and a person made of two true people counts as the
    one of its earliest record on a tie: the same links get the same answers in every run."""
    entity_truth, entity_record = {}, {}
    for r in records:
        key = ("mail", r["email"].strip().lower()) if r["email"] else ("contacts", f"r{r['unique_id']}")
        entity_truth[key], entity_record[key] = truth[r["unique_id"]], r["unique_id"]
    entity_truth[("mail", "owner@example.org")] = "owner"
    rows = workspace.conn.execute(
        "SELECT id, source_type, source_id, canonical_person_id FROM source_entities ORDER BY source_type, source_id"
    ).fetchall()
    of_entity = {row["id"]: entity_truth.get((row["source_type"], row["source_id"])) for row in rows}
    record_of = {row["id"]: entity_record.get((row["source_type"], row["source_id"]), "") for row in rows}
    held: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        held[row["canonical_person_id"]].append(record_of[row["id"]])

    def mostly(person_id: str) -> str | None:
        """The true person most of this person's records are now (earlier answers moved some)."""
        now = workspace.conn.execute(
            "SELECT id FROM source_entities WHERE canonical_person_id = ? ORDER BY source_type, source_id",
            (person_id,),
        )
        counts = Counter(of_entity[row["id"]] for row in now)
        return counts.most_common(1)[0][0] if counts else None  # a tie: the earliest record's

    pending, _ = links.list_pending_links(workspace.conn, limit=100_000)
    pending.sort(
        key=lambda link: (-link["confidence"], record_of[link["source_entity_id"]], held[link["proposed_canonical_id"]])
    )
    for link in pending:
        current = links.get_pending_link(workspace.conn, link["id"])
        if current is None or current["status"] != "pending":
            continue
        wanted = of_entity[current["source_entity_id"]]
        # Earlier answers moved people: the review screen shows each as the person it now is.
        proposed = people.live_person_id(workspace.conn, current["proposed_canonical_id"])
        alternatives = (people.live_person_id(workspace.conn, a["person_id"]) for a in current["alternatives"])
        right = next((p for p in (proposed, *alternatives) if p and mostly(p) == wanted), None)
        if right == proposed:
            confirm_link(workspace.conn, link["id"])
            continue
        reject_link(workspace.conn, link["id"])
        if right is not None:  # the reviewer picks the alternative the review screen shows
            with db.transaction(workspace.conn):
                chosen = links.create_pending_link(
                    workspace.conn,
                    source_entity_id=link["source_entity_id"],
                    proposed_person_id=right,
                    previous_person_id=None,
                    reason="alternative",
                    confidence=0.5,
                )
            if chosen:
                confirm_link(workspace.conn, chosen)
    return len(pending)


def pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        groups[cluster].append(record)
    return {
        (a, b) for members in groups.values() for i, a in enumerate(sorted(members)) for b in sorted(members)[i + 1 :]
    }


def scores(predicted: dict[str, str], truth: dict[str, str]) -> tuple[float, float, float, float, int]:
    """(pairwise precision, recall, F1, B-cubed F, false merges)."""
    guessed, actual = pairs(predicted), pairs(truth)
    hits = len(guessed & actual)
    precision = hits / len(guessed) if guessed else 1.0
    recall = hits / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_guess: dict[str, set[str]] = defaultdict(set)
    by_truth: dict[str, set[str]] = defaultdict(set)
    for record in truth:
        by_guess[predicted[record]].add(record)
        by_truth[truth[record]].add(record)
    b_precision = statistics.fmean(
        len(by_guess[predicted[r]] & by_truth[truth[r]]) / len(by_guess[predicted[r]]) for r in truth
    )
    b_recall = statistics.fmean(
        len(by_guess[predicted[r]] & by_truth[truth[r]]) / len(by_truth[truth[r]]) for r in truth
    )
    b_f = 2 * b_precision * b_recall / (b_precision + b_recall)
    merges = sum(1 for members in by_guess.values() if len({truth[r] for r in members}) > 1)
    return precision, recall, f1, b_f, merges


def line(label: str, figures: tuple[float, float, float, float, int], wall: float | None, rss: float | None) -> str:
    p, r, f1, bf, merges = figures
    timing = f"  {wall:6.2f} s  {rss:5.0f} MiB" if wall is not None and rss is not None else ""
    return f"  {label:<22} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  B-cubed F {bf:.3f}  false merges {merges:3d}{timing}"


def bench(name: str, records: list[dict], peers_python: str, runs: int, with_splink: bool = True) -> None:
    truth = {r["unique_id"]: r["cluster"] for r in records}
    print(
        f"{name}: {len(records):,} records, {len(set(truth.values())):,} people, "
        f"{sum(1 for r in records if r['email']):,} as mail, the rest as cards"
    )
    splink_runs, imported_runs, reviewed_runs, pending_runs = [], [], [], []
    for seed in range(runs):
        if with_splink:
            with tempfile.TemporaryDirectory() as folder:
                splink, wall, rss = run_splink(name, records, peers_python, Path(folder))
                splink_runs.append((scores(splink, truth), wall, rss))
        with tempfile.TemporaryDirectory() as folder:
            home, keys, wall, rss = run_kithkin(records, Path(folder), seed)
            with Workspace.open(home) as workspace:
                imported_runs.append((scores(kithkin_clusters(workspace, keys, records), truth), wall, rss))
                pending_runs.append(answer_pending(workspace, truth, records))
                reviewed_runs.append((scores(kithkin_clusters(workspace, keys, records), truth), None, None))
    # The figures of the run of the median B-cubed F after review; every run's B-cubed F beside them.
    middle = sorted(range(runs), key=lambda n: reviewed_runs[n][0][3])[(runs - 1) // 2]
    for label, measured in (("Splink", splink_runs), ("Kithkin as imported", imported_runs)):
        if measured:
            figures = measured[middle][0]
            print(line(label, figures, min(w for _, w, _ in measured), max(r for _, _, r in measured)))
    print(line("Kithkin + review", reviewed_runs[middle][0], None, None))
    pending = pending_runs[middle]
    print(f"  pending links: {pending:,} = {100 * pending / len(records):.1f} % of records (goal ≤ 20 %)")
    for label, measured in (("Splink", splink_runs), ("as imported", imported_runs), ("+ review", reviewed_runs)):
        if measured:
            spread = [m[0][3] for m in measured]
            print(f"  B-cubed F per run, {label}: {', '.join(f'{f:.4f}' for f in spread)}")
    print(f"  pending per run: {', '.join(str(p) for p in pending_runs)}")
    for label, measured in (("Splink", splink_runs), ("Kithkin", imported_runs)):
        if measured:
            print(f"  wall per run (s), {label}: {', '.join(f'{w:.2f}' for _, w, _ in measured)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers-python", default="/work/peers-venv/bin/python", help="interpreter with splink")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each process, Kithkin's with ids of seeds 0, 1, … (spread shown)"
    )
    parser.add_argument("--only", choices=["fake_1000", "febrl3"], help="one data set")
    parser.add_argument("--no-splink", action="store_true", help="Kithkin alone (Splink's figures do not change)")
    args = parser.parse_args()
    if args.only in (None, "fake_1000"):
        bench("fake_1000", fake_1000(), args.peers_python, args.runs, not args.no_splink)
    if args.only in (None, "febrl3"):
        bench("febrl3", febrl3(args.peers_python), args.peers_python, args.runs, not args.no_splink)


if __name__ == "__main__":
    main()
