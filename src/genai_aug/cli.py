"""Command line: ``genai-aug run PATH [--out DIR]``, ``explain``, ``score`` and friends."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from genai_aug import __version__
from genai_aug import _columns as col
from genai_aug._matching import MAX_TEXT_CHARS
from genai_aug._output import atomic_folder, out_lock
from genai_aug.aggregating import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    MAX_DRAWS,
    Assumptions,
    as_assumptions,
)
from genai_aug.errors import GenAIAugError, InventoryError
from genai_aug.evaluating import evaluate, largest_disagreements
from genai_aug.pipeline import run, safe_for_spreadsheets
from genai_aug.rules import load_ruleset
from genai_aug.scoring import explain, score_texts
from genai_aug.template import write_template

REPORT_FILE = "genai_aug_report.xlsx"

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as a shell reports a command ended by SIGPIPE


MAX_SEED = 2**63 - 1


_LIMITS = {
    "seed": (0, MAX_SEED, ""),
    "draws": (100, MAX_DRAWS, " (at least 100 for stable percentiles)"),
    "top": (1, 10_000, ""),
    "examples": (0, 1_000, ""),
}


def _check_limits(args: argparse.Namespace) -> None:
    """Refuse a number option outside its range in one line, before any work."""
    for name, (low, high, why) in _LIMITS.items():
        value = getattr(args, name, None)
        if value is not None and not low <= value <= high:
            raise GenAIAugError(
                f"--{name} must be at least {low:,} and at most {high:,}{why}, got {value:,}."
            )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genai-aug",
        description="Where generative AI can release staff time in a hospital trust, role by role.",
    )
    parser.add_argument("--version", action="version", version=f"genai_aug {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_run = sub.add_parser(
        "run",
        help="score an inventory and aggregate the hours released",
        description="Load a role and task inventory, score every task and aggregate the hours "
        "Gen AI could release per role, staff group and trust, with low-central-high "
        "ranges under each scenario. Prints a summary; with --out, writes the tables as "
        "CSV, a formatted Excel report and PNG charts.",
    )
    p_run.add_argument(
        "path", type=Path, help="Excel workbook with 'roles' and 'tasks' sheets, or the roles CSV"
    )
    p_run.add_argument(
        "--tasks", type=Path, default=None, help="the tasks CSV, when PATH is the roles CSV"
    )
    p_run.add_argument("--out", type=Path, default=None, help="directory to write results to")
    p_run.add_argument(
        "--rules",
        type=Path,
        default=None,
        help="a ruleset file (TOML) to use instead of the packaged default",
    )
    defaults = Assumptions()
    p_run.add_argument("--adoption-rate", default=None, help=argparse.SUPPRESS)
    p_run.add_argument(
        "--working-weeks",
        type=float,
        default=defaults.working_weeks_per_year,
        help="working weeks a year of a whole-time post (default %(default)s)",
    )
    p_run.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out rows with errors (listed in issues.csv) instead of stopping",
    )
    p_run.add_argument(
        "--top", type=int, default=10, help="roles to list in the summary (default 10)"
    )
    p_run.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="a scenario file (TOML) to use instead of the packaged three",
    )
    p_run.add_argument(
        "--organisations",
        type=Path,
        default=None,
        metavar="CSV",
        help="a lookup from organisation (the roles' trust column) to icb and/or region, to "
        "add the results up to those levels too",
    )
    p_run.add_argument(
        "--headline",
        default=None,
        metavar="NAME",
        help="make this scenario the headline instead of the one the scenario file marks "
        "(e.g. llm_with_tools for the full potential)",
    )
    p_run.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed of the Monte Carlo behind the ranges (default %(default)s)",
    )
    p_run.add_argument(
        "--draws",
        type=int,
        default=DEFAULT_DRAWS,
        help="Monte Carlo draws (default %(default)s)",
    )
    p_run.add_argument("--no-charts", action="store_true", help="with --out, skip the PNG charts")
    p_run.add_argument(
        "--quiet", "-q", action="store_true", help="no progress messages on standard error"
    )

    p_tpl = sub.add_parser(
        "template",
        help="write a blank inventory workbook to fill in",
        description="Write a blank input workbook with 'roles' and 'tasks' sheets, their "
        "headers, a README sheet and drop-down lists for staff group, band, patient facing "
        "and category override. Once filled in, 'genai-aug run' reads it as it is.",
    )
    p_tpl.add_argument("path", type=Path, help="the .xlsx file to write")
    p_tpl.add_argument(
        "--force", action="store_true", help="overwrite the file if it already exists"
    )

    p_eval = sub.add_parser(
        "evaluate",
        help="compare the scorer's exposure classes with human expert labels",
        description="Score the task texts of a labels file (TSV or CSV with at least 'task' and "
        "'human_exposure'; optionally 'onet_soc_code', 'task_type', 'healthcare', "
        "'gpt4_exposure') and report agreement with the human labels, beside GPT-4's.",
    )
    p_eval.add_argument("labels", type=Path, help="the labels file (TSV or CSV)")
    p_eval.add_argument("--rules", type=Path, default=None, help="a ruleset file (TOML)")
    p_eval.add_argument("--json", action="store_true", help="print one JSON object")
    p_eval.add_argument(
        "--examples",
        type=int,
        default=0,
        metavar="N",
        help="also list the largest disagreements, with N example tasks each",
    )

    p_explain = sub.add_parser(
        "explain",
        help="show the rules that fired for a task description, and why",
        description="Score one task description and list every rule that fired: its "
        "category, weight, the words it matched and its rationale, with the category, "
        "exposure, mode, score and confidence they add up to.",
    )
    p_explain.add_argument("text", help="the task description, in quotes")
    p_explain.add_argument("--rules", type=Path, default=None, help="a ruleset file (TOML)")

    p_score = sub.add_parser(
        "score",
        help="score task descriptions given on the command line or in a file",
        description="Score task descriptions: category, exposure, mode, score, confidence "
        "and the evidence. Give the texts as arguments, or --file with one per line.",
    )
    p_score.add_argument("texts", nargs="*", metavar="TEXT", help="task descriptions")
    p_score.add_argument(
        "--file", type=Path, default=None, help="a UTF-8 text file with one task per line"
    )
    p_score.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default %(default)s)",
    )
    p_score.add_argument("--rules", type=Path, default=None, help="a ruleset file (TOML)")

    p_rules = sub.add_parser(
        "rules",
        help="list the categories and rules of a ruleset",
        description="Print the ruleset's categories and rules, with its version and hash.",
    )
    p_rules.add_argument("--rules", type=Path, default=None, help="a ruleset file (TOML)")
    return parser


class _Progress:
    """Stage-by-stage progress on standard error, with the time each stage took."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()
        self.stage_started = self.started
        self.open = False

    def __call__(self, stage: str) -> None:
        self.done()
        if not self.quiet:
            print(f"genai-aug: {stage} ...", end="", file=sys.stderr, flush=True)
            self.open = True
        self.stage_started = time.perf_counter()

    def done(self, outcome: str = "done") -> None:
        if self.open:
            took = time.perf_counter() - self.stage_started
            print(f" {outcome} ({took:.1f} s)", file=sys.stderr, flush=True)
            self.open = False


def _cmd_run(args: argparse.Namespace) -> int:
    if args.adoption_rate is not None:
        print(
            "genai-aug: --adoption-rate was removed in genai_aug 0.2: adoption is part of each "
            "scenario, so the headline, the ranges and every output use one model. Set "
            "'adoption' in a scenario file and pass it with --scenarios (see "
            "docs/interpreting-results.md).",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    assumptions = as_assumptions({"working_weeks_per_year": args.working_weeks})
    progress = _Progress(args.quiet)
    with out_lock(args.out):  # checks --out, in one line, before any work
        return _run_and_write(args, assumptions, progress)


def _run_and_write(args: argparse.Namespace, assumptions: Assumptions, progress: _Progress) -> int:
    try:
        result = run(
            args.path,
            args.tasks,
            ruleset=args.rules,
            assumptions=assumptions,
            errors="reject" if args.skip_invalid else "raise",
            scenarios=args.scenarios,
            headline=args.headline,
            organisations=args.organisations,
            seed=args.seed,
            n_draws=args.draws,
            progress=progress,
        )
    except InventoryError as exc:
        progress.done("stopped")
        n_errors = len(exc.errors)
        first = str(exc.errors["message"].iat[0]) if n_errors else str(exc)
        _error(f"{n_errors} error(s) in the inventory; first: {first}")
        if args.out is not None:
            # the folder becomes this run's: issues.csv alone, never beside older results
            with atomic_folder(args.out) as folder:
                safe_for_spreadsheets(exc.issues).to_csv(
                    folder / "issues.csv", index=False, lineterminator="\n"
                )
            print(
                f"genai-aug: every issue is listed in {args.out / 'issues.csv'} (the folder "
                "holds nothing else)",
                file=sys.stderr,
            )
        if n_errors > 1:
            for message in exc.errors["message"].iloc[1:20]:
                _error(f"  - {message}", prefix="")
            if n_errors > 20:
                print(f"  ... and {n_errors - 20} more", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress.done()
    print(printable(result.summary(top=args.top)))
    if args.out is not None:
        # written beside --out and moved into place whole: never a mix with older files
        with atomic_folder(args.out) as folder:
            progress("writing CSV and Parquet tables")
            written = {f"{k}.csv": v for k, v in result.to_csv(folder).items()}
            written.update({f"{k}.parquet": v for k, v in result.to_parquet(folder).items()})
            progress("writing the Excel report")
            written["report"] = result.to_excel(folder / REPORT_FILE)
            if not args.no_charts:
                progress("drawing the charts")
                written.update(result.save_charts(folder))
        progress.done()
        print(f"\nWrote {len(written)} files to {args.out} (the report is {REPORT_FILE})")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    if args.path.suffix.lower() != ".xlsx":
        print(f"genai-aug: template path must end in .xlsx, got '{args.path}'", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.path.exists() and not args.force:
        print(
            f"genai-aug: '{args.path}' already exists; choose another path or pass --force",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    write_template(args.path)
    print(f"Wrote a blank inventory to {args.path}: fill in 'roles' and 'tasks', then run")
    print(f"  genai-aug run {args.path} --out results")
    return EXIT_OK


_SCORE_COLUMNS = (
    col.TASK,
    col.CATEGORY,
    col.EXPOSURE,
    col.MODE,
    col.SCORE,
    col.CONFIDENCE,
    col.EVIDENCE,
)


def _scored(texts: list[str], rules: Path | None) -> pd.DataFrame:
    """Scores of ``texts`` with each category's mode, in the order given."""
    rs = load_ruleset(rules)
    out = score_texts(texts, ruleset=rs)
    modes = out[col.CATEGORY].map(rs.task_modes)
    out.insert(list(out.columns).index(col.EXPOSURE) + 1, col.MODE, modes)
    return out[list(_SCORE_COLUMNS)]


def _cmd_explain(args: argparse.Namespace) -> int:
    rs = load_ruleset(args.rules)
    scored = _scored([args.text], args.rules).iloc[0]
    shown = args.text if len(args.text) <= 300 else args.text[:300] + "…"
    print(f"Task: {printable(shown)}")
    if len(args.text) > MAX_TEXT_CHARS:
        print(
            f"(only the first {MAX_TEXT_CHARS:,} of its {len(args.text):,} characters are scored)"
        )
    if pd.isna(scored[col.EXPOSURE]):
        print("No rule matched: the task is unclassified and releases no hours. Review it, or set")
        print("a category_override in the inventory.")
        return EXIT_OK
    mode = scored[col.MODE] if isinstance(scored[col.MODE], str) else "none (E0 releases nothing)"
    print(
        f"Category: {scored[col.CATEGORY]} · exposure {scored[col.EXPOSURE]} · "
        f"mode {mode} · score {scored[col.SCORE]:.3f} · "
        f"confidence {scored[col.CONFIDENCE]:.2f}"
    )
    glossary = str(scored[col.EVIDENCE]).split("; ")[0]
    if glossary.startswith("glossary: "):
        # the rules matched the expanded words: say which abbreviations were read how
        print(f"Read with the glossary: {printable(glossary.removeprefix('glossary: '))}")
    why = explain(args.text, ruleset=rs)
    rationale = {r.id: r.rationale for r in rs.rules}
    print(f"\n{len(why)} rule(s) fired (strongest first):")
    for _, r in why.iterrows():
        print(
            f"  {r[col.RULE_ID]} -> {r[col.CATEGORY]} (weight {r[col.WEIGHT]:.2f}), matched "
            f"'{printable(str(r[col.MATCHED]))}': {rationale.get(str(r[col.RULE_ID]), '')}"
        )
    print(f"\nRuleset {rs.name} {rs.version} (sha256 {rs.hash[:12]}); see docs/scoring.md.")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace) -> int:
    texts = list(args.texts)
    if args.file is not None:
        try:
            lines = args.file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"genai-aug: cannot read '{args.file}': {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        texts += [line.strip() for line in lines if line.strip()]
    if not texts:
        print("genai-aug: give task descriptions as arguments or with --file", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = _scored(texts, args.rules)
    if args.format == "csv":
        sys.stdout.write(safe_for_spreadsheets(out).to_csv(index=False, lineterminator="\n"))
    elif args.format == "json":
        records = json.loads(out.to_json(orient="records"))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        view = out.drop(columns=[col.EVIDENCE]).astype(object).copy()
        view[col.TASK] = view[col.TASK].map(lambda t: printable(str(t))[:60])
        view = view.where(view.notna(), "–")  # unclassified: no exposure, mode or score
        with pd.option_context("display.width", 200, "display.max_rows", 10_000):
            print(view.to_string(index=False, float_format="{:.2f}".format))
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    rs = load_ruleset(args.rules)
    print(printable(f"{rs.name} {rs.version} (sha256 {rs.hash})\n"))
    with pd.option_context(
        "display.max_colwidth", 60, "display.width", 200, "display.max_rows", 500
    ):
        categories = rs.categories_frame()[["id", "label", "exposure", "mode", "time_share"]]
        print(printable(categories.to_string(index=False)))
        print()
        rules = rs.rules_frame()[["rule_id", "category", "weight", "rationale"]]
        print(printable(rules.to_string(index=False)))
        if rs.glossary:
            print(f"\nGlossary ({len(rs.glossary)} entries, read as full words before the rules):")
            glossary = pd.DataFrame(
                {
                    "written": [" / ".join(e.forms) for e in rs.glossary],
                    "read as": [e.means for e in rs.glossary],
                }
            )
            print(printable(glossary.to_string(index=False)))
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    result = evaluate(args.labels, ruleset=args.rules)
    print(result.to_json() if args.json else printable(result.summary()))
    if args.examples and not args.json:
        print("\nLargest disagreements (human -> genai_aug):")
        for human, predicted, count, texts in largest_disagreements(result, 3, args.examples):
            print(f"  {human} -> {predicted}: {count} tasks, e.g.")
            for text in texts:
                print(f"    - {printable(text)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``genai-aug`` command; returns the exit code.

    Bad input, a missing or unreadable file, a closed pipe (``genai-aug rules | head``)
    and Ctrl-C each end with one line on standard error, never a traceback.
    """
    args = _parser().parse_args(argv)
    bad = next((a for a in vars(args).values() if isinstance(a, str) and not _is_text(a)), None)
    if bad is None:
        listed = (a for v in vars(args).values() if isinstance(v, list) for a in v)
        bad = next((a for a in listed if isinstance(a, str) and not _is_text(a)), None)
    if bad is not None:
        shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        _error(f"argument {shown!r} is not valid UTF-8 text; check the terminal's encoding")
        return EXIT_BAD_INPUT
    commands = {
        "run": _cmd_run,
        "evaluate": _cmd_evaluate,
        "rules": _cmd_rules,
        "explain": _cmd_explain,
        "score": _cmd_score,
        "template": _cmd_template,
    }
    try:
        _check_limits(args)
        return commands[args.command](args)
    except GenAIAugError as exc:
        reason, _, details = str(exc).partition("\n")
        _error(reason)
        if details:
            _error(details, prefix="")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # the reader went away (| head): stop quietly, and keep Python from complaining
        # when it flushes standard output at exit
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _error("interrupted; nothing was written over previous results")
        return EXIT_INTERRUPTED
    except OSError as exc:
        where = f" '{exc.filename}'" if exc.filename else ""
        _error(f"{exc.strerror or exc}{where}")
        return EXIT_BAD_INPUT
    except (MemoryError, RecursionError) as exc:
        _error(f"the input is too large or too deeply nested to process ({type(exc).__name__})")
        return EXIT_BAD_INPUT


def _is_text(value: str) -> bool:
    """Whether ``value`` is real text (no lone surrogates from undecodable bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _error(message: str, prefix: str = "genai-aug: ") -> None:
    """One message on standard error, with control characters made visible."""
    with contextlib.suppress(OSError):
        print(prefix + printable(message), file=sys.stderr)


def printable(text: str) -> str:
    """``text`` with control characters other than newline and tab shown as ``\\x1b``.

    Titles and task texts come from the user's files; an ESC or BEL in one would
    otherwise be sent to the terminal as a command.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
