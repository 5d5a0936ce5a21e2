"""Reviews carried over to a programme's new version: a concept becomes final, a party puts out
a corrected edition.

Why: a new version is another text, so reviews, keyed by text (:mod:`programmacheck.reviews`),
do not apply to it; yet most of what a person checked is still there word for word.  A review of
an older version is carried over to an item of the new one when what the reviewer judged is
still in the new text:

- the passage the tool quoted for the cell (its first evidence quote, as ``verdicts.csv`` shows
  it) is found in the new text, whitespace normalised; or
- nothing was quoted (the tool found nothing), and the tool finds nothing different in the new
  version either (its verdict is the one the reviewer saw).

Otherwise the cell needs a look, and ``review list`` says why.  A carried-over review is a new row
(``reviews.carried_over``) whose note names the review it comes from; the old one stays.  A cell
with a review of its own is never overwritten.

Which programmes are versions of one another: the same party, municipality and election
(``store.VERSION_OF``) under another name with another text.  A version is older when it is not
in this scan any more, or when it is a concept and the new one is final.  The store remembers
every programme's metadata, so an older version whose file is gone is still known.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from ..programmes import FINAL_STATUSES
from ..records import ItemVerdict, Paragraph, Programme
from ..reviews import Review, carried_over, in_force, utc_now, words
from .store import Store

#: Why a review of an older version was not carried over (``review list`` shows it).
PASSAGE_GONE = "passage not in the new version"
VERDICT_MOVED = "nothing was quoted, and the tool decides otherwise in the new version"
PASSAGE_UNKNOWN = "the reviewed passage is not known (the older version was scored with other settings)"
NEEDS_A_LOOK = "needs a look"


@dataclass(frozen=True)
class NeedsALook:
    """A review of an older version not carried over to the new version's cell, and why."""

    document: str  # the new version
    item_id: str
    previous: str  # the older version's name
    previous_text_key: str
    reason: str

    @property
    def status(self) -> str:
        return f"{NEEDS_A_LOOK}: {self.reason} ({self.document})"


def older_versions(store: Store, programme: Programme, text_key: str, scanned: Collection[str]) -> dict[str, str]:
    """The older versions of a programme the store knows: name → the text key they were last scanned with."""
    final = programme.metadata.get("status", "") in FINAL_STATUSES
    return {
        document: key
        for document, (metadata, key) in store.versions(programme).items()
        if key != text_key and (document not in scanned or (final and metadata.get("status", "") not in FINAL_STATUSES))
    }


def _why_not(review: Review, before: ItemVerdict | None, now: ItemVerdict, text: str) -> str:
    """Why a review of an older version does not hold for the new one ('' if it does)."""
    if before is None:
        return PASSAGE_UNKNOWN
    if before.evidence:
        return "" if words(before.evidence[0].quote) in text else PASSAGE_GONE
    return "" if now.verdict == review.tool_verdict else VERDICT_MOVED


def carry_over(
    store: Store,
    programme: Programme,
    text_key: str,
    paragraphs: Sequence[Paragraph],
    verdicts: Sequence[ItemVerdict],
    definitions: dict[str, str],
    stored_verdicts: Callable[[str], dict[str, ItemVerdict]],
    scanned: Collection[str],
) -> list[NeedsALook]:
    """Carry the reviews of a programme's older versions over to its cells that have none (new
    rows in the store); return the cells where a review was not carried over.

    ``verdicts`` are the tool's verdicts of the new version (after the parent rule);
    ``stored_verdicts(text_key)`` gives an older text's verdicts by item id, as the tool gave
    them with this scan's settings, for the passages its reviewers saw."""
    reviewed = {definition for _, definition in in_force(store.reviews(text_key))}
    text = words(" ".join(p.text for p in paragraphs))
    carried: list[Review] = []
    needs: list[NeedsALook] = []
    now = utc_now()
    for previous, previous_key in older_versions(store, programme, text_key, scanned).items():
        theirs = in_force(store.reviews(previous_key))
        if not theirs:
            continue
        before = stored_verdicts(previous_key)
        for verdict in verdicts:
            definition = definitions[verdict.item_id]
            review = theirs.get((previous_key, definition))
            if review is None or definition in reviewed:
                continue
            reason = _why_not(review, before.get(verdict.item_id), verdict, text)
            if reason:
                needs.append(NeedsALook(programme.document, verdict.item_id, previous, previous_key, reason))
            else:
                carried.append(carried_over(review, programme.document, text_key, now))
                reviewed.add(definition)
    store.add_reviews(carried)
    return [n for n in needs if definitions[n.item_id] not in reviewed]  # another version's review may have come
