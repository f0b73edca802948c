"""Time load, score and aggregate on generated inventories of 10k, 100k and 1M task rows.

Usage (from the repository root)::

    python benchmarks/bench_pipeline.py                  # 10k, 100k, 1M rows
    python benchmarks/bench_pipeline.py --rows 10000     # one size (10_000_000 too)
    python benchmarks/bench_pipeline.py --no-excel --repeat 3
    python benchmarks/bench_pipeline.py --markdown docs/performance.md

Every size also times ``pandas.read_csv`` of the same two files (the yardstick the
targets are set in) and a naive per-row implementation of the same rules, timed on
2,000 rows and extrapolated.

Each size runs in a fresh subprocess so that its peak memory (maximum resident set
size) is its own. The inventories have every column the sample workbook has (roles
with title, staff group, band, FTE, headcount, department, directorate and
organisation; tasks with the patient-facing flag and the odd category override).
Task wording repeats across roles the way real inventories do:
the texts are drawn from the sample trust's tasks, with a local qualifier on some
("... on Ward 7", "... for the diabetes clinic"), so the number of distinct texts
grows much more slowly than the number of rows.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import genai_aug
from genai_aug._guard import MAX_FILE_BYTES

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
# Sizes also run with mixed wording (see generate): texts that seldom share a reading.
MIXED_SIZES = (1_000_000,)
# Distinct task wordings of a mixed-wording inventory (as many as the generator has).
MIXED_WORDINGS = 24_000
# The Excel report is timed up to this size (the target is set at 1M rows); past
# it, the report would also build the per-rule evidence table, ~5 rows per task (run()
# builds it only when result.evidence is read), only to cap it.
EXCEL_MAX_ROWS = 1_000_000
# One machine of the kind the benchmark runs on (GiB of memory), for the capacity arithmetic.
MACHINE_GIB = 24
QUALIFIERS = [
    *(f"on Ward {k}" for k in range(1, 41)),
    *(
        f"for the {s} clinic"
        for s in (
            "diabetes",
            "fracture",
            "respiratory",
            "cardiology",
            "dermatology",
            "urology",
            "ENT",
            "rheumatology",
        )
    ),
    *(
        f"in the {d} department"
        for d in (
            "emergency",
            "radiology",
            "pharmacy",
            "finance",
            "outpatients",
            "theatres",
            "maternity",
        )
    ),
]


def generate(n_rows: int, seed: int = 0, mixed: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid inventory with ``n_rows`` tasks, every column the sample workbook has, and
    realistic repetition of wording.

    Roles are the sample trust's roles (title, staff group, band, department, directorate)
    spread over organisations of 500 roles each (200 trusts at a million tasks), with their
    own FTE and headcount; tasks are the sample's task texts, some with a local qualifier,
    each with its patient-facing flag from the sample, and one task in a thousand with a
    category override.

    The sample's texts differ from each other, but a qualifier ("… on Ward 7") leaves a
    task's reading as it was, so a million such tasks have a few hundred readings, and the
    scorer matches each reading once. With ``mixed``, the texts are instead
    :data:`MIXED_WORDINGS` distinct pairings of one sample task's first word with the rest
    of another's ("Draft crew journeys and allocate vehicles"): as many readings as
    wordings, as an inventory of truly different wordings would have.
    """
    rng = np.random.default_rng(seed)
    sample = genai_aug.load_inventory(genai_aug.sample_path())
    base = sample.tasks.drop_duplicates("task")
    n_roles = max(10, n_rows // 10)
    role_kind = sample.roles.iloc[rng.integers(0, len(sample.roles), n_roles)]
    fte = rng.uniform(0.5, 50, n_roles).round(2)
    n_orgs = max(1, n_roles // 500)
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:07d}" for i in range(n_roles)],
            "role_title": role_kind["role_title"].to_numpy(),
            "staff_group": role_kind["staff_group"].to_numpy(),
            "band": role_kind["band"].to_numpy(),
            "fte": fte,
            "headcount": np.ceil(fte * rng.uniform(1.0, 1.3, n_roles)).astype(int),
            "contracted_hours": role_kind["contracted_hours"].to_numpy(),
            "department": role_kind["department"].to_numpy(),
            "directorate": role_kind["directorate"].to_numpy(),
            "trust": [f"Organisation {k:03d} NHS Trust" for k in rng.integers(0, n_orgs, n_roles)],
        }
    )
    role_of_task = np.sort(rng.integers(0, n_roles, n_rows))
    pick = rng.integers(0, len(base), n_rows)
    if mixed:
        pool = _mixed_wordings(base["task"].tolist(), rng)
        texts = pool[rng.integers(0, len(pool), n_rows)]
    else:
        texts = base["task"].to_numpy(dtype=object)[pick]
        texts = _qualified(texts, rng.random(n_rows) < 0.3, rng)
    facing = np.where(base["patient_facing"].to_numpy(dtype=bool)[pick], "yes", "no")
    override = np.where(rng.random(n_rows) < 0.001, "clinical_procedures", "")
    per_role = np.bincount(role_of_task, minlength=n_roles)
    hours = 30.0 / per_role[role_of_task]  # each role's tasks sum to 30 hours
    tasks = pd.DataFrame(
        {
            "role_id": roles["role_id"].to_numpy()[role_of_task],
            "task_id": [f"T{i:08d}" for i in range(n_rows)],
            "task": texts,
            "hours_per_week": hours,
            "patient_facing": facing,
            "category_override": override,
        }
    )
    return roles, tasks


def _qualified(texts: np.ndarray, qualify: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``texts``, with a local qualifier after those marked in ``qualify``."""
    texts = texts.copy()
    texts[qualify] = [
        f"{t} {q}"
        for t, q in zip(texts[qualify], rng.choice(QUALIFIERS, int(qualify.sum())), strict=True)
    ]
    return texts


def _mixed_wordings(texts: list[str], rng: np.random.Generator) -> np.ndarray:
    """:data:`MIXED_WORDINGS` distinct texts, each one text's first word and the rest of
    another's, three in ten with a local qualifier."""
    verbs = [t.split(" ", 1)[0] for t in texts]
    rests = [t.split(" ", 1)[1] for t in texts if " " in t]
    pairs = rng.permutation(len(verbs) * len(rests))
    out = dict.fromkeys(f"{verbs[k // len(rests)]} {rests[k % len(rests)]}" for k in pairs.tolist())
    if len(out) < MIXED_WORDINGS:
        raise ValueError(f"only {len(out):,} mixed wordings from the sample's texts")
    pool = np.array(list(out)[:MIXED_WORDINGS], dtype=object)
    return _qualified(pool, rng.random(len(pool)) < 0.3, rng)


def naive_per_row(texts: list[str], hours: np.ndarray, rs: genai_aug.Ruleset) -> float:
    """The same rules applied the naive way: each row on its own, every rule tried in turn.

    Returns the seconds per row. This is what a spreadsheet macro or a first script would
    do (no distinct-text cache, no vectorised rollup); the benchmark reports how much
    faster the pipeline is.
    """
    from genai_aug._clauses import fire_by_reading, silence_family_objects
    from genai_aug._matching import normalise_text
    from genai_aug.scoring import _fire_terms_reference

    cats = {c.id: c for c in rs.categories}
    rule_cats = [r.category for r in rs.rules]
    t0 = time.perf_counter()
    total = 0.0
    for text, h in zip(texts, hours, strict=True):
        # the scorer's own reading of one text (glossary, clauses, families), with every
        # rule searched in it: no distinct-text cache, no literal prefilter
        norm = [rs.expand(normalise_text(text))]
        fired, matched, read = fire_by_reading(norm, lambda t: _fire_terms_reference(t, rs))
        silence_family_objects(read, fired, matched, rs.family_terms, rule_cats)
        strength: dict[str, float] = {}
        for j in np.flatnonzero(fired[0]):
            rule = rs.rules[j]
            strength[rule.category] = strength.get(rule.category, 0.0) + rule.weight
        if strength:
            best = max(strength, key=lambda c: strength[c])
            if cats[best].exposure != "E0":
                total += h * cats[best].time_share
    return (time.perf_counter() - t0) / max(len(texts), 1)


def _best(repeat: int, step: Callable[[], object]) -> tuple[float, object]:
    """The shortest of ``repeat`` timings of ``step``, and its last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = step()
        best = min(best, time.perf_counter() - t0)
    return best, out


def write_inventory(n_rows: int, folder: Path, mixed: bool = False) -> tuple[Path, Path]:
    """Generate an inventory of ``n_rows`` tasks and write it as two CSV files."""
    roles, tasks = generate(n_rows, mixed=mixed)
    paths = (folder / "roles.csv", folder / "tasks.csv")
    roles.to_csv(paths[0], index=False)
    tasks.to_csv(paths[1], index=False)
    return paths


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(folder: Path, repeat: int = 1, excel: bool = True) -> dict[str, float]:
    """Time each stage on the CSV files in ``folder`` (run in its own process); best of ``repeat``.

    The files are generated by another process, so the peak RSS measured here is the
    pipeline's own: reading, loading, scoring, aggregating (and the report), not the
    generator's.
    """
    paths = (folder / "roles.csv", folder / "tasks.csv")
    out: dict[str, float] = {}
    out["read_csv_s"], _ = _best(repeat, lambda: [pd.read_csv(p) for p in paths])
    out["rss_read_csv_mib"] = _peak_rss_mib()
    # a national tasks file passes the default 200 MiB guard at a few million rows: say so
    size = sum(p.stat().st_size for p in paths)
    out["load_csv_s"], inventory = _best(
        repeat, lambda: genai_aug.load_inventory(*paths, max_bytes=max(size, MAX_FILE_BYTES))
    )
    assert isinstance(inventory, genai_aug.Inventory)
    out["rss_load_mib"] = _peak_rss_mib()
    out["rows"] = len(inventory.tasks)
    out["distinct_texts"] = int(inventory.tasks["task"].nunique())
    out["score_s"], scored = _best(repeat, lambda: genai_aug.score_tasks(inventory))
    assert isinstance(scored, pd.DataFrame)
    out["rss_score_mib"] = _peak_rss_mib()
    out["aggregate_s"], _ = _best(
        repeat, lambda: genai_aug.aggregate_hours(scored, inventory.roles)
    )
    out["peak_rss_mib"] = _peak_rss_mib()  # CSV -> ranges: the figure the target is set in
    sample = inventory.tasks.sample(n=min(2000, len(inventory.tasks)), random_state=0)
    per_row = naive_per_row(
        sample["task"].tolist(), sample["hours_per_week"].to_numpy(), genai_aug.default_ruleset()
    )
    out["naive_s"] = per_row * out["rows"]  # extrapolated from 2,000 rows
    if excel:
        del scored
        result = genai_aug.run(inventory)
        with tempfile.TemporaryDirectory() as tmp:
            out["excel_s"], _ = _best(repeat, lambda: result.to_excel(Path(tmp) / "report.xlsx"))
        out["rss_excel_mib"] = _peak_rss_mib()
    return out


def baseline_rss() -> float:
    """Peak RSS of a process that only imports genai_aug (MiB)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, genai_aug; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def table(results: list[dict[str, float]], base: float) -> str:
    """The results as a Markdown table, with the ratios the targets are set in."""
    lines = [
        "| task rows | distinct texts | read_csv (s) | load CSV (s) | score (s) | "
        "aggregate and ranges (s) | CSV → ranges (s) | ÷ read_csv | Excel report (s) | "
        "Excel ÷ read_csv | naive per-row (s, extrapolated) | naive ÷ pipeline | "
        "peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = r["load_csv_s"] + r["score_s"] + r["aggregate_s"]
        read = r["read_csv_s"]
        excel = f"{r['excel_s']:.2f}" if "excel_s" in r else "not run"
        excel_ratio = f"{r['excel_s'] / read:.0f}×" if "excel_s" in r else "–"
        lines.append(
            f"| {_rows_label(r)} | {int(r['distinct_texts']):,} | {read:.2f} | "
            f"{r['load_csv_s']:.2f} | {r['score_s']:.2f} | {r['aggregate_s']:.2f} | "
            f"{total:.2f} | {total / read:.0f}× | {excel} | {excel_ratio} | "
            f"{r['naive_s']:,.0f} | {r['naive_s'] / total:,.0f}× | {r['peak_rss_mib']:,.0f} |"
        )
    by_rows = {int(r["rows"]): r for r in results if not r.get("mixed")}

    def pipeline(r: dict[str, float]) -> float:
        return r["load_csv_s"] + r["score_s"] + r["aggregate_s"]

    for small, big in ((100_000, 1_000_000), (1_000_000, 10_000_000)):
        if small in by_rows and big in by_rows:
            ratio = pipeline(by_rows[big]) / pipeline(by_rows[small])
            lines.append(
                f"\nScaling: {big:,} rows take {ratio:.1f}× the time of {small:,} rows "
                "(CSV → ranges)."
            )
    lines.append(f"\nPeak RSS of a process that only imports genai_aug: {base:,.0f} MiB.")
    lines += [
        "",
        "Peak RSS (MiB) after each stage, in the same process (each figure includes the ones",
        "before it: `ru_maxrss` only grows):",
        "",
        "| task rows | read_csv | load | score | aggregate and ranges | Excel report |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        excel = f"{r['rss_excel_mib']:,.0f}" if "rss_excel_mib" in r else "not run"
        lines.append(
            f"| {_rows_label(r)} | {r['rss_read_csv_mib']:,.0f} | {r['rss_load_mib']:,.0f} | "
            f"{r['rss_score_mib']:,.0f} | {r['peak_rss_mib']:,.0f} | {excel} |"
        )
    lines += ["", capacity(results, base)]
    return "\n".join(lines)


def _rows_label(r: dict[str, float]) -> str:
    return f"{int(r['rows']):,}" + (" (mixed wording)" if r.get("mixed") else "")


def capacity(results: list[dict[str, float]], base: float) -> str:
    """How many task rows one machine can hold, from the measured memory per row."""
    big = sorted((r for r in results if not r.get("mixed")), key=lambda r: r["rows"])[-2:]
    if len(big) < 2:
        return "Run at least two sizes for the memory-per-row arithmetic."
    (a, b) = big
    per_row = (b["peak_rss_mib"] - a["peak_rss_mib"]) / (b["rows"] - a["rows"])  # MiB per row
    fixed = b["peak_rss_mib"] - per_row * b["rows"]
    usable = MACHINE_GIB * 1024 * 0.8  # leave a fifth for the OS and the page cache
    rows = (usable - fixed) / per_row
    return (
        f"Memory per task row, from the {int(a['rows']):,}- and {int(b['rows']):,}-row runs: "
        f"({b['peak_rss_mib']:,.0f} − {a['peak_rss_mib']:,.0f}) MiB ÷ "
        f"{int(b['rows'] - a['rows']):,} rows = {per_row * 1024:,.2f} KiB, over a fixed "
        f"{fixed:,.0f} MiB. A {MACHINE_GIB} GiB machine, keeping a fifth free, holds "
        f"({usable:,.0f} − {fixed:,.0f}) ÷ {per_row * 1024:,.2f} KiB ≈ {rows / 1e6:,.0f} million "
        "task rows in one process."
    )


def main() -> None:
    """Run the benchmark and print (or write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="size(s) to run")
    parser.add_argument(
        "--markdown",
        type=Path,
        help="write the table into this Markdown file, between the BENCHMARK markers",
    )
    parser.add_argument(
        "--mixed",
        type=int,
        action="append",
        help="size(s) to run with mixed wording (default with no --rows: 1,000,000)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="best of N timings per stage")
    parser.add_argument("--no-excel", action="store_true", help="skip the Excel report")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child: measure a folder
    parser.add_argument("--write", type=int, help=argparse.SUPPRESS)  # child: generate
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write-mixed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_inventory(args.write, args.into, args.write_mixed)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.repeat, not args.no_excel)))
        return
    results = []
    runs = [(n, False) for n in args.rows or ([] if args.mixed else SIZES)]
    runs += [(n, True) for n in args.mixed or ([] if args.rows else MIXED_SIZES)]
    for n, mixed in runs:
        with tempfile.TemporaryDirectory() as tmp:
            write = [sys.executable, __file__, "--write", str(n), "--into", tmp]
            write += ["--write-mixed"] if mixed else []
            subprocess.run(write, check=True)
            child = [sys.executable, __file__, "--one", tmp, "--repeat", str(args.repeat)]
            done = subprocess.run(
                [*child, *(["--no-excel"] if args.no_excel or n > EXCEL_MAX_ROWS else [])],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                sys.exit(f"{n:,} rows failed:\n{done.stderr}")
        results.append({**json.loads(done.stdout), **({"mixed": 1.0} if mixed else {})})
        print(f"{n:>10,} rows{' (mixed wording)' if mixed else ''} done", file=sys.stderr)
    text = table(results, baseline_rss())
    machine = (
        f"Python {platform.python_version()}, pandas {pd.__version__}, numpy "
        f"{np.__version__}, {platform.machine()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores"
    )
    text += f"\nMachine: {machine}.\n"
    print(text)
    if args.markdown:
        doc = args.markdown.read_text(encoding="utf-8")
        start, end = "<!-- BENCHMARK START -->", "<!-- BENCHMARK END -->"
        head, rest = doc.split(start)
        _, tail = rest.split(end)
        args.markdown.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
