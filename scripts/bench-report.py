#!/usr/bin/env python3
"""Write docs/benchmarks.md from the results of one `make bench` run.

Rust results come from criterion's estimates under target/criterion/token/.
Other languages write build/bench/<language>.json: a list of objects with
"name" (cache_hit, mint_reused_connection or mint_new_connection) and
"ns_per_op". Each row's ratio compares it with the same language's
mint_new_connection baseline, the cost the legacy clients paid per call.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "mint_new_connection"
ORDER = ["cache_hit", "mint_reused_connection", BASELINE]
DESCRIPTIONS = {
    "cache_hit": "cached token handed out again",
    "mint_reused_connection": "new token, TLS connection reused",
    BASELINE: "new token, new client and TLS handshake per call (legacy baseline)",
}


def rust_results() -> dict[str, float]:
    results = {}
    for name in ORDER:
        path = ROOT / "target" / "criterion" / "token" / name / "new" / "estimates.json"
        if path.exists():
            estimates = json.loads(path.read_text())
            results[name] = float(estimates["mean"]["point_estimate"])
    return results


def other_results() -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for path in sorted((ROOT / "build" / "bench").glob("*.json")):
        rows = json.loads(path.read_text())
        results[path.stem] = {row["name"]: float(row["ns_per_op"]) for row in rows}
    return results


def format_time(nanoseconds: float) -> str:
    if nanoseconds >= 1e6:
        return f"{nanoseconds / 1e6:.2f} ms"
    if nanoseconds >= 1e3:
        return f"{nanoseconds / 1e3:.1f} µs"
    return f"{nanoseconds:.0f} ns"


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, {rustc}"


def main() -> int:
    suites = {"rust": rust_results(), **other_results()}
    suites = {language: rows for language, rows in suites.items() if rows}
    if not suites:
        print("bench-report: no benchmark results found; run `make bench`", file=sys.stderr)
        return 1

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (scripts/bench-report.py) from one run; the numbers",
        "are means per call against the emulator over HTTPS on loopback, so network",
        "latency to the real service is not included. Ratio = baseline time / row time.",
        "",
        f"Machine: {machine()}.",
        f"Run: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
        "| language | benchmark | what it measures | time per call | vs. baseline |",
        "| --- | --- | --- | --- | --- |",
    ]
    for language, rows in suites.items():
        baseline = rows.get(BASELINE)
        for name in ORDER:
            if name not in rows:
                continue
            ratio = f"{baseline / rows[name]:,.1f}x faster" if baseline and name != BASELINE else "1.0x"
            lines.append(
                f"| {language} | `{name}` | {DESCRIPTIONS[name]} | {format_time(rows[name])} | {ratio} |"
            )

    output = ROOT / "docs" / "benchmarks.md"
    output.parent.mkdir(exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[9:]))
    print(f"bench-report: wrote {output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
