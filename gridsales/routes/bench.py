"""`gridsales bench routes [--solomon-time 20] [--tsplib-time 5] [--day-time 0.8]`.

The route solver against best known solutions (`bench_data/*/BKS.json`), one process:

1. Solomon VRPTW, 100 customers, real Euclidean distances, the `_distance` best known
   (distance minimised): 0 infeasible, mean gap ≤ 0.1 %, max ≤ 0.5 %;
2. TSPLIB EUC_2D (≤ 200 nodes, nint distances, proven optima): mean gap ≤ 0.1 %, max ≤ 0.5 %;
3. a rep's day of 40 stops with windows and a lunch break (`sample.rep_day`): ≤ 1 s.

Feasibility is checked by our own verifier (`verify.py`), not PyVRP's. "PyVRP stage" is
the distance before our polishing (TSPLIB: PyVRP has 40 % of the time). Exits with code 1
when a target is missed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import CommandError

from gridsales.routes.formats import parse_solomon, parse_tsplib
from gridsales.routes.sample import rep_day
from gridsales.routes.solver import solve
from gridsales.routes.verify import verify

DATA = Path(__file__).resolve().parent / "bench_data"
MEAN_GAP, MAX_GAP, DAY_SECONDS = 0.1, 0.5, 1.0


def best_known(folder: str) -> dict[str, float]:
    with open(DATA / folder / "BKS.json", encoding="utf-8") as fh:
        return {name: float(entry["best_known_cost"]) for name, entry in json.load(fh).items()}


class RoutesBench:
    help = "Visit routes: Solomon VRPTW and TSPLIB gaps to the best known, a rep's day"

    def add_arguments(self, parser):
        parser.add_argument("--solomon-time", type=float, default=20.0, help="seconds each")
        parser.add_argument("--tsplib-time", type=float, default=5.0, help="seconds each")
        parser.add_argument("--day-time", type=float, default=0.8, help="search seconds")
        parser.add_argument("--day-reference", type=float, default=10.0, help="0: skip")
        parser.add_argument("--instances", nargs="*", default=None, help="e.g. C101 kroA100")
        parser.add_argument("--seed", type=int, default=1)

    def run(self, options, out):
        missed: list[str] = []
        wanted = options["instances"]
        seed = options["seed"]
        out(f"seed {seed}; gap = ours / best known − 1 (negative: shorter than the best known)")
        out(
            f"{'instance':10} {'BKS':>10} {'ours':>10} {'gap %':>7} {'seconds':>7} "
            f"{'feasible':8} {'vehicles':>8} {'PyVRP stage':>11}"
        )
        for label, folder, parse, suffix, seconds in (
            ("Solomon", "solomon", parse_solomon, ".txt", options["solomon_time"]),
            ("TSPLIB", "tsplib", parse_tsplib, ".tsp", options["tsplib_time"]),
        ):
            bks = best_known(folder)
            names = sorted(p.stem for p in (DATA / folder).glob(f"*{suffix}"))
            names = [n for n in names if not wanted or n in wanted]
            if not names:
                continue
            gaps, infeasible = [], 0
            for name in names:
                problem = parse((DATA / folder / f"{name}{suffix}").read_text())
                solution = solve(problem, time_limit=seconds, seed=seed)
                plans = [r.plan for r in solution.routes]
                feasible = not verify(problem, plans)
                infeasible += not feasible
                ref = bks.get(f"{name}_distance", bks.get(name))
                gap = (solution.distance / ref - 1) * 100
                gaps.append(gap)
                out(
                    f"{name:10} {ref:10.2f} {solution.distance:10.2f} {gap:7.2f} "
                    f"{solution.seconds:7.1f} {'yes' if feasible else 'NO':8} "
                    f"{len(solution.routes):8} {solution.stats['pyvrp_distance']:11.2f}"
                )
            mean, worst = sum(gaps) / len(gaps), max(gaps)
            out(
                f"{label}: {len(names)} instances at {seconds:g} s, mean gap {mean:.3f} %, "
                f"max {worst:.3f} %, infeasible {infeasible} "
                f"(targets: mean ≤ {MEAN_GAP} %, max ≤ {MAX_GAP} %, 0 infeasible)"
            )
            if mean > MEAN_GAP or worst > MAX_GAP or infeasible:
                missed.append(label)
        if not wanted or "rep-day" in wanted:
            missed += self.day(options, out)
        if missed:
            raise CommandError(f"Targets missed: {', '.join(missed)}", returncode=1)
        out("All targets met.")

    def day(self, options, out) -> list[str]:
        started = time.perf_counter()
        problem = rep_day()
        solution = solve(problem, time_limit=options["day_time"], seed=options["seed"])
        seconds = time.perf_counter() - started
        kept = sum(problem.stops[s].priority for r in solution.routes for s in r.plan.stops)
        visited = sum(len(r.plan.stops) for r in solution.routes)
        out(
            f"rep's day: {len(problem.stops)} candidate stops, {seconds:.2f} s end to end "
            f"(target ≤ {DAY_SECONDS:g} s), feasible {'yes' if solution.feasible else 'NO'}, "
            f"{visited} visited, {len(solution.dropped)} dropped, priority kept {kept:g}, "
            f"{solution.distance / 1000:.1f} km"
        )
        if options["day_reference"] > 0:
            ref = solve(problem, time_limit=options["day_reference"], seed=options["seed"])
            ref_kept = sum(problem.stops[s].priority for r in ref.routes for s in r.plan.stops)
            out(
                f"  the same day with {options['day_reference']:g} s: priority kept "
                f"{ref_kept:g}, {ref.distance / 1000:.1f} km"
            )
        ok = seconds <= DAY_SECONDS and solution.feasible
        return [] if ok else ["rep's day"]


BENCHES = {"routes": RoutesBench()}
