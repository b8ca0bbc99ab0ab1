"""Benchmark: bench/load.py's saves for this checkout against another git revision, in alternating
rounds of one run.

Why: machines of this kind drift by up to twice within an hour (README, "Last figures"), so two
runs of bench/load.py made before and after a change cannot show a change of some per cent. Here
both revisions are served at once, each with a database (and, for the postgres configurations, a
Redis) of its own, and driven in turn: for each configuration and each N, --rounds rounds, each
revision once a round (the order alternating between rounds), each time with N fresh users (a
closed loop, then an open loop at --rate saves/s in total, as bench/load.py does). The idle
server costs next to nothing while the other is driven. Printed: every round's saves/s and server
CPU per save for both, then per configuration, N and loop the medians, the ratio this checkout /
the revision of the medians and the lowest and highest of the rounds' ratios (a change is shown
only when every round's ratio lies on the same side of 1), errors and lost updates.

The revision is checked out with `git worktree add --detach` into a temporary folder (removed at
the end) and served with this checkout's .venv, the users made with this checkout's code: it
refuses (exit code 2) a revision whose requirements or migrations differ from this checkout's.
Needs what bench/load.py needs.
Run: .venv/bin/python bench/compare.py --against REV [--configs sqlite] [--sizes 10,100]
         [--rounds 3] [--duration 10] [--rate 50] [--warmup 2] [--idle 1]
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
from _servers import (  # noqa: E402
    ROOT,
    argument_parser,
    header,
    logs_on_failure,
    require,
    use_in_this_process,
)

# What both revisions must share: the packages they run on and the schema the users are made in.
SAME_IN_BOTH = ("requirements.txt", "requirements-dev.txt", "alembic/versions")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def check_revision(revision: str) -> str:
    """The revision's commit, or exit 2 saying why it cannot be compared."""
    found = _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if found.returncode != 0:
        print(f"bench/compare.py: no such revision: {revision}", file=sys.stderr)
        raise SystemExit(2)
    commit = found.stdout.strip()
    differs = _git("diff", "--quiet", commit, "--", *SAME_IN_BOTH)
    if differs.returncode != 0:
        print(
            f"bench/compare.py: {revision} differs from this checkout in {', '.join(SAME_IN_BOTH)}: "
            "it cannot run on this .venv and database schema",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return commit


@contextlib.contextmanager
def worktree(commit: str, parent: Path) -> Iterator[Path]:
    """`commit` checked out in a folder of its own under `parent`, removed afterwards."""
    where = parent / f"rev-{commit[:10]}"
    added = _git("worktree", "add", "--detach", str(where), commit)
    if added.returncode != 0:
        raise RuntimeError(f"git worktree add failed: {added.stderr.strip()}")
    try:
        yield where
    finally:
        _git("worktree", "remove", "--force", str(where))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def print_rounds(results: dict, sides: tuple[str, str]) -> None:
    print(
        f"{'configuration':<30} {'N':>4} {'loop':>11} {'round':>5} "
        + " ".join(f"{side + ' saves/s':>16} {side + ' ms/save':>16}" for side in sides)
    )
    for (config, size, loop), rounds in results.items():
        for i, by_side in enumerate(rounds, 1):
            cells = " ".join(
                f"{by_side[side].phase.rate():>16.1f} {by_side[side].phase.server_ms_per_save():>16.2f}"
                for side in sides
            )
            print(f"{load.CONFIGS[config]:<30} {size:>4} {loop:>11} {i:>5} {cells}")


def print_summary(results: dict, sides: tuple[str, str]) -> None:
    ours, theirs = sides
    print(f"\nmedians of the rounds, and {ours} / {theirs} (of the medians; lowest-highest of the rounds):")
    print(
        f"{'configuration':<30} {'N':>4} {'loop':>11} {'saves/s':>17} {'ratio':>6} {'range':>11} "
        f"{'srv ms/save':>13} {'ratio':>6} {'range':>11} {'errors':>7} {'lost':>5}"
    )
    for (config, size, loop), rounds in results.items():
        rate = {side: [r[side].phase.rate() for r in rounds] for side in sides}
        cpu = {side: [r[side].phase.server_ms_per_save() for r in rounds] for side in sides}
        rate_ratios = [a / b for a, b in zip(rate[ours], rate[theirs], strict=True) if b]
        cpu_ratios = [a / b for a, b in zip(cpu[ours], cpu[theirs], strict=True) if b]
        errors = sum(r[side].errors for r in rounds for side in sides)
        lost = sum(r[side].lost for r in rounds for side in sides)
        m_rate = {side: _median(rate[side]) for side in sides}
        m_cpu = {side: _median(cpu[side]) for side in sides}
        print(
            f"{load.CONFIGS[config]:<30} {size:>4} {loop:>11} "
            f"{m_rate[ours]:>8.1f}/{m_rate[theirs]:<8.1f} {m_rate[ours] / max(m_rate[theirs], 1e-9):>6.2f} "
            f"{min(rate_ratios, default=0):>5.2f}-{max(rate_ratios, default=0):<5.2f} "
            f"{m_cpu[ours]:>6.2f}/{m_cpu[theirs]:<6.2f} {m_cpu[ours] / max(m_cpu[theirs], 1e-9):>6.2f} "
            f"{min(cpu_ratios, default=0):>5.2f}-{max(cpu_ratios, default=0):<5.2f} {errors:>7} {lost:>5}"
        )


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--against", required=True, help="the git revision to compare this checkout with")
    parser.add_argument("--configs", default="sqlite", help="comma-separated: sqlite, postgres1, postgres")
    parser.add_argument("--sizes", default="10,100", help="numbers of sessions, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each configuration and N")
    parser.add_argument("--duration", type=float, default=10, help="seconds of each closed and open loop")
    parser.add_argument(
        "--rate", type=float, default=50, help="open loop: saves/s offered in total (0: skip)"
    )
    parser.add_argument("--warmup", type=float, default=2, help="seconds of untimed closed loop first")
    parser.add_argument("--idle", type=float, default=1, help="seconds the sessions sit idle first")
    args = parser.parse_args()
    requested: str = args.configs
    configs = [load.ALIASES.get(c, c) for c in requested.split(",") if c]
    if set(configs) - set(load.CONFIGS):
        parser.error(f"--configs: choose from {', '.join(load.CONFIGS)}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.rounds < 1 or not sizes:
        parser.error("--rounds and --sizes: at least one each")
    commit = check_revision(args.against)
    if {"postgres", "postgres1"} & set(configs):
        require("bench/compare.py --configs postgres", "redis-server", "postgres")
    import logging

    logging.disable(logging.INFO)
    sides = ("this", "rev")
    print(header("bench/compare.py"), flush=True)
    print(
        f"this = the checkout (the commit above), rev = {args.against} ({commit[:12]}); sizes {sizes}, "
        f"{args.rounds} rounds, closed loop {args.duration:g} s, open loop {args.duration:g} s at "
        f"{args.rate:g} saves/s, warm-up {args.warmup:g} s",
        flush=True,
    )
    names = load.state_names()
    texts = load.consent_texts()
    per_side_users = sum(sizes) * args.rounds
    results: dict[tuple[str, int, str], list[dict]] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp_name:
        tmp = Path(tmp_name)
        with worktree(commit, tmp) as other:
            for config in configs:
                with contextlib.ExitStack() as stack:
                    served = {}
                    for side, app_dir in (("this", ROOT), ("rev", other)):
                        server, users, extras = stack.enter_context(
                            load.configuration(config, tmp / side, per_side_users, app_dir=app_dir)
                        )
                        use_in_this_process(server.app_env)
                        asyncio.run(load.prime(server, users[: load.PRIMERS], names, texts))
                        served[side] = (server, users, extras)
                    print(f"{load.CONFIGS[config]}: both servers ready", file=sys.stderr, flush=True)
                    offsets = dict.fromkeys(sides, load.PRIMERS)
                    for size in sizes:
                        for round_ in range(args.rounds):
                            order = sides if round_ % 2 == 0 else sides[::-1]
                            by_loop: dict[str, dict] = {}
                            for side in order:
                                server, users, extras = served[side]
                                use_in_this_process(server.app_env)  # lost updates: its database
                                chosen = users[offsets[side] : offsets[side] + size]
                                offsets[side] += size
                                with logs_on_failure(server):
                                    rows = asyncio.run(
                                        load.run_size(server, chosen, args, names, texts, extras)
                                    )
                                for row in rows:
                                    row.config = config
                                    by_loop.setdefault(row.phase.loop, {})[side] = row
                            for loop_name, by_side in by_loop.items():
                                loop = "closed" if loop_name == "closed" else f"open {args.rate:g}/s"
                                results.setdefault((config, size, loop), []).append(by_side)
                            print(
                                f"  {load.CONFIGS[config]}, N={size}, round {round_ + 1} done",
                                file=sys.stderr,
                                flush=True,
                            )
    print_rounds(results, sides)
    print_summary(results, sides)
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
