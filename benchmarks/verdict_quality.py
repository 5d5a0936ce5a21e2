"""Verdict quality on the development gold: combined system and baselines, leave-one-programme-out.

    python benchmarks/verdict_quality.py [--shared ../shared] [--items] [--embed-all | --compare-embed-all]

Collects the signals of the 5 municipal and 3 national gold programmes once, then for each
configuration fits the verdict model on all programmes but one and scores the held-out one:

- municipal: fitted on the other 4 municipal programmes (the issue's protocol), and on the other
  4 plus the 3 national ones (what the shipped calibration uses);
- national: each national programme held out, fitted on the other 7.

Every figure has a 95 % bootstrap interval.  Evidence: for items both gold and tool call
`addressed`, the share whose first quote matches a gold quote (contains it, or shares >= 60 %
of its words).  A baseline's verdicts read one signal family, but its evidence is still ordered
by the full passage scorer, so its evidence figure is not a one-signal figure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from programmacheck.calibrate import BASELINES, collect, leave_one_out
from programmacheck.evaluate import evidence_agreement, format_report, kappa_difference, normalise_quote, scores
from programmacheck.pipeline import Scanner, ScanSettings


def first_stage_recall(examples, scanner: Scanner) -> tuple[int, int]:
    """Gold evidence quotes whose passage the lexical first stage keeps for the quote's item."""
    item_ids = [i.id for i in scanner.checklist.checklist.items]
    kept = total = 0
    for e in examples:
        texts = [p.text for p in e.text.passages]
        keep = scanner.first_stage(texts)[2]
        normalised = [normalise_quote(t) for t in texts]
        for item_id, quotes in e.gold.evidence.items():
            for quote in quotes:
                head = normalise_quote(quote["quote"])[:40]
                where = [i for i, t in enumerate(normalised) if head and head in t]
                if where and item_id in item_ids:
                    total += 1
                    kept += any(keep[i, item_ids.index(item_id)] for i in where)
    return kept, total


def protocols(municipal, national, scanner: Scanner, features) -> dict[str, tuple[list, list]]:
    """(pairs, verdicts) of each evaluation protocol, leave-one-programme-out."""
    runs = {
        "municipal, fit on 4 municipal": leave_one_out(municipal, scanner, (), features),
        "municipal, fit on 4 + 3 national": leave_one_out(municipal, scanner, national, features),
    }
    all_pairs, all_verdicts = leave_one_out(municipal + national, scanner, (), features)
    national_docs = {e.programme.document for e in national}
    runs["national, fit on the other 7"] = (
        [p for p in all_pairs if p.document in {e.gold.document for e in national}],
        [v for v in all_verdicts if v.document in national_docs],
    )
    return runs


def compare_with_embedding_everything(shared: Path, municipal, national, scanner: Scanner) -> None:
    """κ of the combined system with the first stage minus κ with every passage embedded, on the
    same pairs, with a paired bootstrap interval."""
    full = Scanner(ScanSettings(embed_all=True))
    full_municipal = collect(full, [shared / "eval" / "gold"], shared / "corpus")
    full_national = collect(full, [shared / "eval" / "gold-national"], shared / "corpus")
    first = protocols(municipal, national, scanner, BASELINES["combined"])
    every = protocols(full_municipal, full_national, full, BASELINES["combined"])
    print(f"{'evaluated on':<36} {'kappa, first stage':<22} {'kappa, every passage':<22} difference [paired 95 % interval]")
    for label, (pairs, _) in first.items():
        full_pairs = every[label][0]
        print(f"{label:<36} {scores(pairs)['kappa']!s:<22} {scores(full_pairs)['kappa']!s:<22} "
              f"{kappa_difference(full_pairs, pairs)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--items", action="store_true", help="print the per-item table of the combined system")
    system = parser.add_mutually_exclusive_group()
    system.add_argument("--embed-all", action="store_true",
                        help="embed every passage (the full computation) instead of the lexical first stage's choice")
    system.add_argument("--compare-embed-all", action="store_true",
                        help="only compare the combined system's kappa with and without the first stage")
    parser.add_argument("--configs", nargs="+", default=list(BASELINES), choices=list(BASELINES),
                        help="configurations to evaluate (default: all)")
    args = parser.parse_args()
    shared = Path(args.shared)
    scanner = Scanner(ScanSettings(embed_all=args.embed_all))
    municipal = collect(scanner, [shared / "eval" / "gold"], shared / "corpus")
    national = collect(scanner, [shared / "eval" / "gold-national"], shared / "corpus")
    if args.compare_embed_all:
        compare_with_embedding_everything(shared, municipal, national, scanner)
        return 0
    golds = [e.gold for e in municipal + national]
    kept, total = first_stage_recall(municipal + national, scanner)
    print(f"first stage keeps the passage of {kept}/{total} = {kept / total:.3f} gold evidence quotes for their item")

    print(f"{'configuration':<14} {'evaluated on':<36} {'kappa':<22} {'F1 addressed':<22} {'F1 mentioned':<22} evidence")
    for name in args.configs:
        runs = protocols(municipal, national, scanner, BASELINES[name])
        for label, (pairs, verdicts) in runs.items():
            s = scores(pairs)
            first = {(v.document, v.item_id): v.evidence[0].quote for v in verdicts if v.verdict == "addressed" and v.evidence}
            checks = evidence_agreement(golds, first)
            share = f"{sum(c.matched for c in checks)}/{len(checks)}" if checks else "-"
            print(f"{name:<14} {label:<36} {s['kappa']!s:<22} {s['f1_addressed']!s:<22} {s['f1_mentioned']!s:<22} {share}")
        if args.items and name == "combined":
            print(format_report(runs["municipal, fit on 4 + 3 national"][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
