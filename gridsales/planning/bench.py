"""`gridsales bench districts` and `gridsales bench districts-scale`.

`districts`: the optimiser on the published Delivery Territory Design instances (Aly,
Gabor & Sleptchenko, 2024; copied into `bench_data/` with their licence and citation),
p = 10, τ = 0.05, one process, for each seed of `--seeds`:

1. the paper's problem (`--allow-disconnected`): balanced, mean max-diameter ≤ the BVNS
   results in `bench_data/vns-results.csv`;
2. the product's problem (contiguous): balanced and contiguous, within 5 % of them.

`districts-scale`: 10,000 H3 cells around Shanghai (planning/scale.py) into 100
territories, two activities, τ = 0.05, contiguous: feasible within 300 s.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from gridsales.planning.contract import load_graphml
from gridsales.planning.districting import evaluate, solve

DATA = Path(__file__).resolve().parent / "bench_data"
PROBLEMS = {"disconnected": True, "contiguous": False}


def published() -> dict[str, float]:
    with open(DATA / "vns-results.csv", encoding="utf-8") as fh:
        return {row["instance"]: float(row["objective_max_diameter"]) for row in csv.DictReader(fh)}


def _seeds(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


class DistrictsBench:
    help = "Districting: 3 × 500 units into 10 territories vs the published BVNS diameters"

    def add_arguments(self, parser):
        parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
        parser.add_argument("--instances", nargs="*", default=None, help="e.g. planar500_G0")
        parser.add_argument("--territories", type=int, default=10)
        parser.add_argument("--tolerance", type=float, default=0.05)
        parser.add_argument("--seeds", type=_seeds, default=[1], help="e.g. 1,2,3")
        parser.add_argument(
            "--problems", default="disconnected,contiguous", help="disconnected,contiguous"
        )

    def run(self, options, out):
        ref = published()
        names = options["instances"] or sorted(ref)
        seeds = options["seeds"]
        p, tau = options["territories"], options["tolerance"]
        out(
            f"p={p} τ={tau} time limit {options['time_limit']:g} s, seeds "
            f"{','.join(map(str, seeds))}"
        )
        out(
            f"{'instance':14} {'problem':13} {'seed':>4} {'balanced':8} {'contig.':7} "
            f"{'max diam':>9} {'published':>9} {'ratio':>6} {'seconds':>7}"
        )
        instances = {name: load_graphml((DATA / f"{name}.graphml").read_bytes()) for name in names}
        mean_pub = sum(ref[name] for name in names) / len(names)
        for problem in options["problems"].split(","):
            disconnected = PROBLEMS[problem]
            means = []
            for seed in seeds:
                diameters = []
                for name in names:
                    inst = instances[name]
                    result = solve(
                        inst,
                        p,
                        tau,
                        time_limit=options["time_limit"],
                        seed=seed,
                        allow_disconnected=disconnected,
                    )
                    report = evaluate(inst, result.assign, p, tau)
                    diameters.append(report["max_diameter"])
                    out(
                        f"{name:14} {problem:13} {seed:4} "
                        f"{'yes' if report['balanced'] else 'NO':8} "
                        f"{'yes' if report['contiguous'] else 'no':7} "
                        f"{report['max_diameter']:9.3f} {ref[name]:9.3f} "
                        f"{report['max_diameter'] / ref[name]:6.3f} {result.seconds:7.1f}"
                    )
                mean = sum(diameters) / len(diameters)
                means.append(mean)
                out(
                    f"{'mean':14} {problem:13} {seed:4} {'':8} {'':7} {mean:9.3f} "
                    f"{mean_pub:9.3f} {mean / mean_pub:6.3f}"
                )
            if len(seeds) > 1:
                overall = sum(means) / len(means)
                out(
                    f"{'mean of seeds':14} {problem:13} {'':4} {'':8} {'':7} {overall:9.3f} "
                    f"{mean_pub:9.3f} {overall / mean_pub:6.3f}   "
                    f"(worst seed {max(means) / mean_pub:.3f})"
                )


class DistrictsScaleBench:
    help = "Districting at scale: 10,000 H3 units around Shanghai into 100 territories"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=10_000)
        parser.add_argument("--resolution", type=int, default=9, help="H3 resolution")
        parser.add_argument("--territories", type=int, default=100)
        parser.add_argument("--tolerance", type=float, default=0.05)
        parser.add_argument("--time-limit", type=float, default=300.0)
        parser.add_argument("--seeds", type=_seeds, default=[1], help="e.g. 1,2")

    def run(self, options, out):
        from gridsales.planning.scale import h3_instance

        p, tau = options["territories"], options["tolerance"]
        for seed in options["seeds"]:
            started = time.monotonic()
            inst = h3_instance(options["units"], options["resolution"], seed=seed)
            built = time.monotonic() - started
            out(
                f"seed {seed}: {inst.n} H3 res-{options['resolution']} units, "
                f"{len(inst.edges)} edges, built in {built:.1f} s; p={p} τ={tau} "
                f"{', '.join(inst.activity_names)}, contiguous, time limit "
                f"{options['time_limit']:g} s"
            )
            started = time.monotonic()
            dist = inst.distances(p)
            # solve() would build the distances inside its time limit; timed apart here.
            out(
                f"  shortest paths: {type(dist).__name__}, radius {dist.cap:.2f} km, "
                f"{getattr(dist, 'entries', inst.n * inst.n):,} entries, "
                f"{time.monotonic() - started:.1f} s"
            )
            result = solve(inst, p, tau, time_limit=options["time_limit"], seed=seed)
            report = evaluate(inst, result.assign, p, tau)
            feasible = report["balanced"] and report["contiguous"]
            first = result.feasible_after
            out(
                f"  feasible {'yes' if feasible else 'NO'} (balanced "
                f"{'yes' if report['balanced'] else 'no'}, contiguous "
                f"{'yes' if report['contiguous'] else 'no'}), first feasible after "
                f"{f'{first:.1f} s' if first is not None else '—'}; max |deviation| "
                f"{report['max_deviation']:.4f}, imbalance {report['imbalance']:.4f}, "
                f"max diameter {report['max_diameter']:.3f} km; {result.seconds:.1f} s, "
                f"{result.iterations} perturbations, {result.restarts} starts"
            )


BENCHES = {"districts": DistrictsBench(), "districts-scale": DistrictsScaleBench()}
