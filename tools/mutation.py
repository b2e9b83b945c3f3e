"""Mutation check of the pure packages (``make mutation``; not part of ``make test``).

mutmut (pinned in the ``dev`` extra) mutates ``access``, ``travel``, ``planning``,
``experience`` and ``orientation`` and runs, for each mutant, the fast tests that
call the mutated function (selection and options: ``[tool.mutmut]`` in
pyproject.toml; tests needing the shared data or the national build are left out).

The full set (about 10,000 mutants) takes hours on two cores, so a deterministic
sample is run: a mutant is kept when the SHA-256 of its name falls below
``--sample`` (names are ``module.function__mutmut_N``, so the sample of an
unchanged function stays the same from one run to the next). ``--sample 1``
runs them all.

Writes ``bench/results/mutation.json``: per package the mutants generated, sampled,
killed (a test failed or timed out), survived, without any test, the share killed,
and the surviving mutants' names (``.venv/bin/mutmut show NAME`` prints the change).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("access", "travel", "planning", "experience", "orientation")
RESULT = ROOT / "bench" / "results" / "mutation.json"
LOG = ROOT / "mutants" / "mutmut-run.log"
# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code)
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a failing test, pytest internal error, or a timeout
SURVIVED = {0}
NO_TESTS = {5, 33}


def generate() -> None:
    """Write the mutants under ``mutants/`` (mutmut's own generation step, without running tests)."""
    from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    (ROOT / "mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    create_mutants(os.cpu_count() or 2)


def mutants_by_package() -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {p: {} for p in PACKAGES}
    for package in PACKAGES:
        for meta in sorted((ROOT / "mutants" / "src" / "accesoins" / package).glob("*.py.meta")):
            out[package].update(json.loads(meta.read_text())["exit_code_by_key"])
    return out


def in_sample(name: str, share: float) -> bool:
    return int(hashlib.sha256(name.encode()).hexdigest()[:15], 16) < share * 16**15


def summarize(sample: dict[str, list[str]], generated: dict[str, int], seconds: float, share: float) -> dict:
    codes = mutants_by_package()
    packages = {}
    for package, names in sample.items():
        count = Counter()
        survivors = []
        for name in names:
            code = codes[package].get(name)
            kind = ("killed" if code in KILLED else "survived" if code in SURVIVED
                    else "no_tests" if code in NO_TESTS else "not_checked" if code is None else "other")
            count[kind] += 1
            if kind != "killed":
                survivors.append({"mutant": name, "status": kind, "exit_code": code})
        tested = len(names)
        packages[package] = {
            "generated": generated[package],
            "sampled": tested,
            "killed": count["killed"],
            "survived": count["survived"],
            "no_tests": count["no_tests"],
            "not_checked": count["not_checked"],
            "other": count["other"],
            "killed_share": round(count["killed"] / tested, 4) if tested else None,
            "survivors": survivors,
        }
    return {
        "tool": "mutmut 3.8.1",
        "sample_share": share,
        "sampling": "SHA-256 of the mutant name below sample_share (deterministic)",
        "tests": "pyproject.toml [tool.mutmut] pytest_add_cli_args_test_selection, without needs_data/slow/browser",
        "seconds": round(seconds),
        "packages": packages,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=float, default=0.12, help="share of mutants run (default 0.12)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--packages", nargs="+", choices=PACKAGES, default=list(PACKAGES))
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ (default: start afresh)")
    parser.add_argument("--report-only", action="store_true",
                        help="only summarize the verdicts already in mutants/ (e.g. of an interrupted run)")
    args = parser.parse_args(argv)

    os.chdir(ROOT)  # mutmut reads pyproject.toml and writes mutants/ in the working directory
    if args.report_only:
        every = mutants_by_package()
        sample = {p: sorted(n for n in every[p] if in_sample(n, args.sample)) for p in args.packages}
        return _write(summarize(sample, {p: len(every[p]) for p in PACKAGES}, 0.0, args.sample))
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    start = time.monotonic()
    generate()
    every = mutants_by_package()
    generated = {p: len(every[p]) for p in PACKAGES}
    sample = {p: sorted(n for n in every[p] if in_sample(n, args.sample)) for p in args.packages}
    names = [n for p in args.packages for n in sample[p]]
    print(f"{sum(generated.values())} mutants generated, {len(names)} sampled ({args.sample:.0%})", flush=True)
    with LOG.open("w") as log:
        run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *names],
                             stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    if run.returncode != 0:
        print(f"mutmut failed (exit {run.returncode}); see {LOG}", file=sys.stderr)
        return run.returncode
    return _write(summarize(sample, generated, time.monotonic() - start, args.sample))


def _write(report: dict) -> int:
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for package, row in report["packages"].items():
        share = "–" if row["killed_share"] is None else f"{row['killed_share']:.1%}"
        print(f"{package:12} {row['killed']:5}/{row['sampled']:<5} killed ({share}); "
              f"{row['survived']} survived, {row['no_tests']} without test, {row['not_checked']} not checked")
    print(f"written {RESULT.relative_to(ROOT)} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
