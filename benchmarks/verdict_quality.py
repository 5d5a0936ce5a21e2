"""Verdict quality on all the development gold: leave-one-group-out, the combined system and ablations.

    python benchmarks/verdict_quality.py [--shared ../shared] [--items] [--embed-all | --compare-embed-all]

Collects the signals of every gold programme in ``eval/gold`` (municipal PDFs), ``eval/gold-national``
(national programmes) and ``eval/gold-web`` (saved party web texts) once, then for each configuration:

- **leave-one-group-out** (the headline): a whole group -- one municipality of one election
  (``gr2026/amsterdam``, ``gr2026/dalfsen``, ``gr2026/heiloo``) or one national election
  (``tk2025``) -- is scored by a model fitted on the other groups only, so neither the
  municipality nor the election was seen;
- **leave-one-programme-out**: each programme scored by a model fitted on all the others;
- the **generalisation gap**: κ(programme-out) − κ(group-out), with a paired 95 % bootstrap interval;
- the group-out figures for each gold set apart (municipal, national, web).

Every figure has a 95 % bootstrap interval over programme × item pairs.  Evidence: for items both
gold and tool call `addressed`, the share whose first quote matches a gold quote (contains it, or
shares >= 60 % of its words).  The configurations are ablations of one model: each reads one signal
family, or all but one; a configuration's evidence is still ordered by the full passage scorer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from programmacheck.calibrate import BASELINES, collect, leave_one_group_out, leave_one_programme_out
from programmacheck.engine import Engine, ScanSettings, Scoring
from programmacheck.evaluate import evidence_agreement, format_report, kappa_difference, normalise_quote, scores

#: The gold folders below ``shared/eval``, by the name the tables give them.
GOLD_SETS = {"municipal": "gold", "national": "gold-national", "web": "gold-web"}
GROUP_OUT, PROGRAMME_OUT = "all gold, leave-one-group-out", "all gold, leave-one-programme-out"


def first_stage_recall(examples, engine: Engine, scoring: Scoring) -> tuple[int, int]:
    """Gold evidence quotes whose passage the lexical first stage keeps for the quote's item."""
    item_ids = list(scoring.item_ids)
    kept = total = 0
    for e in examples:
        texts = [p.text for p in e.text.passages]
        keep = engine.first_stage(e.text, scoring).worth_embedding
        normalised = [normalise_quote(t) for t in texts]
        for item_id, quotes in e.gold.evidence.items():
            for quote in quotes:
                head = normalise_quote(quote["quote"])[:40]
                where = [i for i, t in enumerate(normalised) if head and head in t]
                if where and item_id in item_ids:
                    total += 1
                    kept += any(keep[i, item_ids.index(item_id)] for i in where)
    return kept, total


def protocols(examples, engine: Engine, scoring: Scoring, features) -> dict[str, tuple[list, list]]:
    """(pairs, verdicts) of each evaluation protocol, and of each gold set under leave-one-group-out."""
    runs = {
        GROUP_OUT: leave_one_group_out(examples, engine, scoring, (), features),
        PROGRAMME_OUT: leave_one_programme_out(examples, engine, scoring, (), features),
    }
    pairs, verdicts = runs[GROUP_OUT]
    for name, folder in GOLD_SETS.items():
        documents = {e.gold.document for e in examples if Path(e.gold.path).parent.name == folder}
        runs[f"{name}, leave-one-group-out"] = (
            [p for p in pairs if p.document in documents],
            [v for v in verdicts if v.document in documents],
        )
    return runs


def collect_all(engine: Engine, scoring: Scoring, shared: Path) -> list:
    return [
        e
        for folder in GOLD_SETS.values()
        for e in collect(engine, scoring, [shared / "eval" / folder], shared / "corpus")
    ]


def compare_with_embedding_everything(shared: Path, examples, engine: Engine, scoring: Scoring) -> None:
    """κ of the combined system with the first stage minus κ with every passage embedded, on the
    same pairs, with a paired bootstrap interval."""
    full = engine.scoring(ScanSettings(embed_all=True), calibrated=False)
    first = protocols(examples, engine, scoring, BASELINES["combined"])
    every = protocols(collect_all(engine, full, shared), engine, full, BASELINES["combined"])
    print(
        f"{'evaluated on':<36} {'kappa, first stage':<22} {'kappa, every passage':<22} difference [paired 95 % interval]"
    )
    for label, (pairs, _) in first.items():
        full_pairs = every[label][0]
        print(
            f"{label:<36} {scores(pairs)['kappa']!s:<22} {scores(full_pairs)['kappa']!s:<22} "
            f"{kappa_difference(full_pairs, pairs)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--items", action="store_true", help="print the per-item table of the combined system")
    system = parser.add_mutually_exclusive_group()
    system.add_argument(
        "--embed-all",
        action="store_true",
        help="embed every passage (the full computation) instead of the lexical first stage's choice",
    )
    system.add_argument(
        "--compare-embed-all",
        action="store_true",
        help="only compare the combined system's kappa with and without the first stage",
    )
    parser.add_argument(
        "--configs",
        nargs="+",
        default=list(BASELINES),
        choices=list(BASELINES),
        help="configurations to evaluate (default: all)",
    )
    args = parser.parse_args()
    shared = Path(args.shared)
    engine = Engine()
    scoring = engine.scoring(ScanSettings(embed_all=args.embed_all), calibrated=False)  # each fold fits its own
    examples = collect_all(engine, scoring, shared)
    if args.compare_embed_all:
        compare_with_embedding_everything(shared, examples, engine, scoring)
        return 0
    golds = [e.gold for e in examples]
    kept, total = first_stage_recall(examples, engine, scoring)
    print(f"{len(examples)} gold programmes in {len({e.gold.document.rsplit('/', 1)[0] for e in examples})} groups")
    print(f"first stage keeps the passage of {kept}/{total} = {kept / total:.3f} gold evidence quotes for their item")

    print(
        f"{'configuration':<20} {'evaluated on':<36} {'kappa':<22} {'F1 addressed':<22} {'F1 mentioned':<22} evidence"
    )
    for name in args.configs:
        runs = protocols(examples, engine, scoring, BASELINES[name])
        for label, (pairs, verdicts) in runs.items():
            s = scores(pairs)
            first = {
                (v.document, v.item_id): v.evidence[0].quote
                for v in verdicts
                if v.verdict == "addressed" and v.evidence
            }
            checks = evidence_agreement(golds, first)
            share = f"{sum(c.matched for c in checks)}/{len(checks)}" if checks else "-"
            print(
                f"{name:<20} {label:<36} {s['kappa']!s:<22} {s['f1_addressed']!s:<22} {s['f1_mentioned']!s:<22} {share}"
            )
        gap = kappa_difference(runs[GROUP_OUT][0], runs[PROGRAMME_OUT][0])
        print(f"{name:<20} {'gap: programme-out minus group-out':<36} {gap}")
        if args.items and name == "combined":
            print(format_report(runs[GROUP_OUT][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
