"""Time load, score and aggregate on generated inventories of 10k, 100k and 1M task rows.

Usage (from the repository root)::

    python benchmarks/bench_pipeline.py                  # 10k, 100k, 1M rows
    python benchmarks/bench_pipeline.py --rows 10000     # one size
    python benchmarks/bench_pipeline.py --markdown docs/performance.md

Each size runs in a fresh subprocess so that its peak memory (maximum resident set
size) is its own. Task wording repeats across roles the way real inventories do:
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
from pathlib import Path

import numpy as np
import pandas as pd

import genai_aug
from genai_aug._reference import STAFF_GROUPS

SIZES = (10_000, 100_000, 1_000_000)
# The Excel report is written for every size: its Tasks sheet is the slow part.
EXCEL_MAX_ROWS_BENCHED = 1_000_000
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


def generate(n_rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A valid inventory with ``n_rows`` tasks and realistic repetition of wording."""
    rng = np.random.default_rng(seed)
    base = genai_aug.load_inventory(genai_aug.sample_path()).tasks["task"].unique()
    n_roles = max(10, n_rows // 10)
    roles = pd.DataFrame(
        {
            "role_id": [f"R{i:07d}" for i in range(n_roles)],
            "role_title": [f"Role {i}" for i in range(n_roles)],
            "staff_group": rng.choice(STAFF_GROUPS, n_roles),
            "fte": rng.uniform(0.5, 50, n_roles).round(2),
            "contracted_hours": 37.5,
        }
    )
    role_of_task = np.sort(rng.integers(0, n_roles, n_rows))
    texts = rng.choice(base, n_rows).astype(object)
    qualify = rng.random(n_rows) < 0.3
    texts[qualify] = [
        f"{t} {q}"
        for t, q in zip(texts[qualify], rng.choice(QUALIFIERS, int(qualify.sum())), strict=True)
    ]
    per_role = np.bincount(role_of_task, minlength=n_roles)
    hours = 30.0 / per_role[role_of_task]  # each role's tasks sum to 30 hours
    tasks = pd.DataFrame(
        {
            "role_id": roles["role_id"].to_numpy()[role_of_task],
            "task_id": [f"T{i:08d}" for i in range(n_rows)],
            "task": texts,
            "hours_per_week": hours,
        }
    )
    return roles, tasks


def measure(n_rows: int) -> dict[str, float]:
    """Time each stage for one size (run this in its own process)."""
    roles, tasks = generate(n_rows)
    out: dict[str, float] = {"rows": n_rows, "distinct_texts": int(tasks["task"].nunique())}
    with tempfile.TemporaryDirectory() as tmp:
        roles.to_csv(Path(tmp) / "roles.csv", index=False)
        tasks.to_csv(Path(tmp) / "tasks.csv", index=False)
        t0 = time.perf_counter()
        inventory = genai_aug.load_inventory(Path(tmp) / "roles.csv", Path(tmp) / "tasks.csv")
        out["load_csv_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    genai_aug.load_inventory(roles, tasks)
    out["load_frame_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scored = genai_aug.score_tasks(inventory)
    out["score_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    genai_aug.aggregate_hours(scored, inventory.roles)  # every scenario, central and ranges
    out["aggregate_s"] = time.perf_counter() - t0
    if n_rows <= EXCEL_MAX_ROWS_BENCHED:
        result = genai_aug.run(inventory)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result.to_excel(Path(tmp) / "report.xlsx")
            out["excel_s"] = time.perf_counter() - t0
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
    """The results as a Markdown table."""
    lines = [
        "| task rows | distinct texts | load CSV (s) | load DataFrame (s) | score (s) | "
        "aggregate and ranges (s) | Excel report (s) | total rows/s (CSV → ranges) | "
        "peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = r["load_csv_s"] + r["score_s"] + r["aggregate_s"]
        excel = f"{r['excel_s']:.2f}" if "excel_s" in r else "not run"
        lines.append(
            f"| {int(r['rows']):,} | {int(r['distinct_texts']):,} | {r['load_csv_s']:.2f} | "
            f"{r['load_frame_s']:.2f} | {r['score_s']:.2f} | {r['aggregate_s']:.2f} | "
            f"{excel} | {r['rows'] / total:,.0f} | "
            f"{r['peak_rss_mib']:,.0f} |"
        )
    lines.append(f"\nPeak RSS of a process that only imports genai_aug: {base:,.0f} MiB.")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print (or write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="size(s) to run")
    parser.add_argument(
        "--markdown",
        type=Path,
        help="write the table into this Markdown file, between the BENCHMARK markers",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    results = []
    for n in args.rows or SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(done.stdout))
        print(f"{n:>9,} rows done", file=sys.stderr)
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
