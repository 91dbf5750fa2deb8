"""`gridsales bench districts [--time-limit 60] [--instances NAME ...]`.

The districting optimiser on the published Delivery Territory Design instances (Aly, Gabor
& Sleptchenko, 2024; copied into `bench_data/` with their licence and citation), p = 10,
τ = 0.05, one process:

1. the paper's problem (`--allow-disconnected`): balanced, mean max-diameter ≤ the BVNS
   results in `bench_data/vns-results.csv`;
2. the product's problem (contiguous): balanced and contiguous, within 5 % of them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from gridsales.planning.contract import load_graphml, run_districts

DATA = Path(__file__).resolve().parent / "bench_data"


def published() -> dict[str, float]:
    with open(DATA / "vns-results.csv", encoding="utf-8") as fh:
        return {row["instance"]: float(row["objective_max_diameter"]) for row in csv.DictReader(fh)}


class DistrictsBench:
    help = "Districting: 3 × 500 units into 10 territories vs the published BVNS diameters"

    def add_arguments(self, parser):
        parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
        parser.add_argument("--instances", nargs="*", default=None, help="e.g. planar500_G0")
        parser.add_argument("--territories", type=int, default=10)
        parser.add_argument("--tolerance", type=float, default=0.05)
        parser.add_argument("--seed", type=int, default=1)

    def run(self, options, out):
        ref = published()
        names = options["instances"] or sorted(ref)
        out(
            f"p={options['territories']} τ={options['tolerance']} "
            f"time limit {options['time_limit']:g} s, seed {options['seed']}"
        )
        out(
            f"{'instance':14} {'problem':13} {'balanced':8} {'contig.':7} "
            f"{'max diam':>9} {'published':>9} {'ratio':>6} {'seconds':>7}"
        )
        for mode, disconnected in (("disconnected", True), ("contiguous", False)):
            ratios, diameters, pubs = [], [], []
            for name in names:
                path = DATA / f"{name}.graphml"
                inst = load_graphml(path.read_bytes())
                result = run_districts(
                    inst,
                    territories=options["territories"],
                    tolerance=options["tolerance"],
                    time_limit=options["time_limit"],
                    seed=options["seed"],
                    allow_disconnected=disconnected,
                )
                m = result["metrics"]
                pub = ref.get(name)
                ratio = m["max_diameter"] / pub if pub else float("nan")
                ratios.append(ratio)
                diameters.append(m["max_diameter"])
                pubs.append(pub or float("nan"))
                out(
                    f"{name:14} {mode:13} {'yes' if m['balanced'] else 'NO':8} "
                    f"{'yes' if m['contiguous'] else 'no':7} {m['max_diameter']:9.3f} "
                    f"{pub or float('nan'):9.3f} {ratio:6.3f} {m['seconds']:7.1f}"
                )
            mean, mean_pub = sum(diameters) / len(names), sum(pubs) / len(names)
            out(
                f"{'mean':14} {mode:13} {'':8} {'':7} {mean:9.3f} {mean_pub:9.3f} "
                f"{mean / mean_pub:6.3f}   (mean of ratios {sum(ratios) / len(ratios):.3f})"
            )


BENCHES = {"districts": DistrictsBench()}
