"""A realistic, fictional scan output folder for testing reports without running a scan.

Reports only read the output folder, so their tests should not wait for extraction and a model.
This writes what ``programmacheck scan`` writes — same files, columns and formats — for fictional
programmes: three parties in Lindewaard (GR2026), two in Oosterbroek (GR2026) and two in
Lindewaard (GR2022), scored on every item of the bundled checklist; one is a concept, one has
the party's own url.  Verdicts are drawn from a
seeded generator, with a few fixed cells the tests rely on (see the constants below).

Import the fixture into a test module with ``from report_fixtures import report_out``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SHARED
from programmacheck.checklist import default_checklist_path, load_checklist


@dataclass(frozen=True)
class FakeProgramme:
    document: str
    municipality: str
    party: str
    election: str
    year: int
    pages: int
    status: str = "definitief"
    url: str = ""


PROGRAMMES = (
    FakeProgramme("gr2026/lindewaard/samen-lindewaard.pdf", "Lindewaard", "Samen Lindewaard", "gr2026", 2026, 12),
    FakeProgramme(
        "gr2026/lindewaard/lindewaard-vooruit.md",
        "Lindewaard",
        "Lindewaard Vooruit",
        "gr2026",
        2026,
        1,
        status="concept",
    ),
    FakeProgramme(
        "gr2026/lindewaard/orde-en-eigen-kracht.pdf", "Lindewaard", "Orde & Eigen Kracht", "gr2026", 2026, 30
    ),
    FakeProgramme("gr2026/oosterbroek/groen-oosterbroek.pdf", "Oosterbroek", "Groen Oosterbroek", "gr2026", 2026, 20),
    FakeProgramme(
        "gr2026/oosterbroek/dorpsbelang.pdf",
        "Oosterbroek",
        "Dorpsbelang",
        "gr2026",
        2026,
        8,
        url="https://dorpsbelang.example/programma-2026.pdf",
    ),
    FakeProgramme("gr2022/lindewaard/samen-lindewaard.pdf", "Lindewaard", "Samen Lindewaard", "gr2022", 2022, 10),
    FakeProgramme("gr2022/lindewaard/lindewaard-vooruit.pdf", "Lindewaard", "Lindewaard Vooruit", "gr2022", 2022, 9),
)
# Fixed cells: every Lindewaard 2026 party addresses this item; none addresses or mentions the gap item.
ALL_ADDRESS = "1.1"
GAP_ITEM = "9.2"
# A cell whose quote holds markup, to prove the HTML report escapes text.
HOSTILE = ("gr2026/lindewaard/orde-en-eigen-kracht.pdf", "3.1")
HOSTILE_QUOTE = 'Wij zeggen "ja" & <script>alert("x")</script> tegen schuldhulp <b>zonder</b> wachtlijst.'
# Its PDF has a cover and a contents page without numbers: PDF page 5 is printed 3.
PRINTED_OFFSET = 2
FAILED_DOCUMENT = "gr2026/oosterbroek/scan-zonder-tekst.pdf"

VERDICT_WEIGHTS = {"addressed": 0.35, "partial": 0.2, "contrary": 0.05, "absent": 0.4}
SCORE_RANGE = {"addressed": (0.7, 0.98), "partial": (0.4, 0.7), "contrary": (0.05, 0.3), "absent": (0.0, 0.3)}
PHRASES = ("We zorgen ervoor dat", "De gemeente gaat", "Wij willen dat", "Daarom kiezen we voor")


def checklist_items() -> list[tuple[str, str]]:
    """(item id, theme id) of the bundled checklist, or of ../shared/eval/items.csv before it existed."""
    try:
        return [(i.id, i.theme) for i in load_checklist().checklist.items]
    except Exception:  # noqa: BLE001 - any unusable checklist means: use the canonical id list
        with open(SHARED / "eval" / "items.csv", newline="", encoding="utf-8") as handle:
            return [(row["id"], row["theme_id"]) for row in csv.DictReader(handle)]


def _verdict(rng: random.Random, programme: FakeProgramme, item_id: str) -> str:
    lindewaard_2026 = programme.municipality == "Lindewaard" and programme.election == "gr2026"
    if lindewaard_2026 and item_id == ALL_ADDRESS:
        return "addressed"
    if lindewaard_2026 and item_id == GAP_ITEM:
        return "absent"
    if (programme.document, item_id) == HOSTILE:
        return "addressed"
    return rng.choices(list(VERDICT_WEIGHTS), weights=list(VERDICT_WEIGHTS.values()))[0]


def _quotes(rng: random.Random, programme: FakeProgramme, item_id: str, verdict: str) -> list[tuple[int, str]]:
    """One to three (page, quote) pairs; none for an absent verdict."""
    if verdict == "absent":
        return []
    if (programme.document, item_id) == HOSTILE:
        return [(2, HOSTILE_QUOTE)]
    count = rng.randint(1, 3)
    return [
        (
            rng.randint(1, programme.pages),
            f"{rng.choice(PHRASES)} punt {item_id} in {programme.municipality} "
            f"werk wordt (voorbeeldzin {n + 1} van {programme.party}).",
        )
        for n in range(count)
    ]


def write_output_folder(out: Path, seed: int = 2026) -> Path:
    """Write verdicts.csv, evidence.csv, paragraphs.jsonl, failures.csv and run.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    items = checklist_items()
    with (
        open(out / "verdicts.csv", "w", newline="", encoding="utf-8") as vh,
        open(out / "evidence.csv", "w", newline="", encoding="utf-8") as eh,
        open(out / "paragraphs.jsonl", "w", encoding="utf-8") as ph,
    ):
        verdicts, evidence = csv.writer(vh), csv.writer(eh)
        verdicts.writerow(
            [
                "document",
                "item_id",
                "theme_id",
                "verdict",
                "score",
                "evidence_page",
                "evidence_quote",
                "municipality",
                "party",
                "election",
                "year",
            ]
        )
        evidence.writerow(["document", "item_id", "rank", "page", "section", "quote", "score", "signals", "page_label"])
        for p in PROGRAMMES:
            for item_id, theme_id in items:
                verdict = _verdict(rng, p, item_id)
                score = rng.uniform(*SCORE_RANGE[verdict])
                quotes = _quotes(rng, p, item_id, verdict)
                first_page, first_quote = quotes[0] if quotes else ("", "")
                verdicts.writerow(
                    [
                        p.document,
                        item_id,
                        theme_id,
                        verdict,
                        f"{score:.4f}",
                        first_page,
                        first_quote,
                        p.municipality,
                        p.party,
                        p.election,
                        p.year,
                    ]
                )
                for rank, (page, quote) in enumerate(quotes, start=1):
                    evidence.writerow(
                        [
                            p.document,
                            item_id,
                            rank,
                            page,
                            f"Thema {theme_id}",
                            quote,
                            f"{score - 0.01 * rank:.4f}",
                            f"dense:{score:.3f};measure:punt {item_id}",
                            page - PRINTED_OFFSET if p.document == HOSTILE[0] and page > PRINTED_OFFSET else "",
                        ]
                    )
                    ph.write(
                        json.dumps(
                            {
                                "document": p.document,
                                "page": page,
                                "section": f"Thema {theme_id}",
                                "text": quote,
                                "kind": "body",
                                "ocr": False,
                                "matchable": True,
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
    with open(out / "programmes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "document",
                "municipality",
                "party",
                "election",
                "year",
                "status",
                "date",
                "url",
                "party_from",
                "sha256",
                "path",
            ]
        )
        writer.writerows(
            [
                p.document,
                p.municipality,
                p.party,
                p.election,
                p.year,
                p.status,
                f"{p.year - 1}-11-01",
                p.url,
                "manifest",
                hashlib.sha256(p.document.encode()).hexdigest(),
                f"/corpus/{p.document}",
            ]
            for p in PROGRAMMES
        )
    message = f"{FAILED_DOCUMENT}: no text layer (image-only PDF) and OCR is unavailable"
    with open(out / "failures.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["document", "message"], [FAILED_DOCUMENT, message]])
    checklist_file = default_checklist_path()
    run = {
        "tool": "programmacheck",
        "version": "0.1.0",
        "date": "2026-01-15T10:00:00+00:00",
        "checklist": {
            "path": str(checklist_file),
            "sha256": hashlib.sha256(checklist_file.read_bytes()).hexdigest() if checklist_file.is_file() else "",
            "name": "Leger des Heils checklist gemeenteraadsverkiezingen 2026",
        },
        "model": "fixture",
        "calibration": None,
        "settings": {"inputs": ["corpus"]},
        "programmes": len(PROGRAMMES),
        "failures": [{"document": FAILED_DOCUMENT, "message": message}],
    }
    (out / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def report_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fictional output folder (see module docstring); shared by the session, treat as read-only."""
    return write_output_folder(tmp_path_factory.mktemp("report-out"))


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def headless_chromium(chromium: str, chromedriver: str, profile: Path):
    """A Selenium driver for the system's Chromium, offline and with a fresh profile.

    The driver path is given explicitly so Selenium Manager never tries to download a browser.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)
