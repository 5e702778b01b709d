"""What `check` needs to score, made ready in a thread while its crawl runs.

The crawl child starts working once it is sent the parties, so everything `check` does
before that is waiting time for the crawl: it validates parties.yaml and the rubric, opens
the database and starts a run, and sends. The rest loads here, on a thread of the check
process, while the child crawls on the other core: the scoring and notification modules,
the rubric parsed (when scoring.cache knows it loads without a problem; one it does not
know is loaded and checked before the crawl), a Scorer, and for a check that will read new
text, spaCy. The check process's own thread meanwhile only waits for the crawl's progress
lines, so this costs a check no time, and one of a single page finishes as soon as the
crawl does.

spaCy (about 1.7 s and 90 MB) starts here only for a check of a few parties that will
read new text: a party with no document yet, a current snapshot never scored under this
rubric, or a fetch with new content (`new_text_fetched`, from the crawl's events). A
check of more parties loads nothing during its crawl: `result()` loads after it.
"""

from __future__ import annotations

import gc
import sys
import threading
from typing import TYPE_CHECKING, Sequence

from sqlalchemy import Engine, select

from history.db import transaction

if TYPE_CHECKING:
    from scoring import Rubric, Scorer


def reads_new_text(engine: Engine, party_ids: Sequence[str], rubric: Rubric) -> bool:
    """Whether scoring these parties now would read some text afresh: a party with no
    document yet, or a current snapshot never scored under this rubric."""
    from history.models import RubricVersionRow
    from history.store import current_snapshots, scored_snapshot_ids

    with transaction(engine) as session:
        version = session.scalar(select(RubricVersionRow.id)
                                 .where(RubricVersionRow.content_hash == rubric.content_hash))
        for party_id in party_ids:
            ids = {snapshot.id for _, snapshot in current_snapshots(session, party_id)}
            if not ids or version is None or scored_snapshot_ids(session, ids, version) != ids:
                return True
    return False


class ScoringPreparation:
    """Load the rubric, a Scorer and the modules scoring uses: with `start_spacy` (a check of a
    few parties) on a thread while the crawl runs, starting spaCy too when there is new
    text to read; without it, in `result()`, after the crawl.

        preparation = ScoringPreparation(engine, party_ids, rubric_text, rubric_name,
                                         rubric=None, start_spacy=True)
        preparation.start()
        ... crawl, calling preparation.new_text_fetched() for a fetch with new content ...
        rubric, scorer = preparation.result()   # raises what loading raised
        ... score ...
        preparation.join()                      # spaCy is never left half-imported

    `rubric` is the rubric already loaded, if it was (then its text is not parsed again).
    A failure to start spaCy is not reported here: the scorer's first use builds it again
    and raises it.
    """

    def __init__(self, engine: Engine, party_ids: Sequence[str], rubric_text: str, rubric_name: str,
                 *, rubric: Rubric | None, start_spacy: bool):
        self.engine = engine
        self.party_ids = list(party_ids)
        self.rubric_text, self.rubric_name = rubric_text, rubric_name
        self.rubric = rubric
        self.scorer: Scorer | None = None
        self.start_spacy = start_spacy
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._new_text = False  # a fetch brought new content
        self._decided = False  # the loading thread has decided whether to start spaCy
        self._spacy_started = False
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        # Without spaCy to start, a check is one of many parties: its crawl takes far longer
        # than this loading, which would only hold ~6 MB more beside the crawl process at
        # its largest. result() loads then, after the crawl.
        if self.start_spacy:
            self._thread(self._load)

    def _thread(self, target) -> None:
        thread = threading.Thread(target=target, name="partywatch-scoring", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _load(self) -> None:
        try:
            from scoring.startup import collection_paused

            # The ORM, the models, pydantic and the rubric's schema are objects that live as
            # long as the process: the cyclic collector would rescan them ~100 times while
            # they are made and find nothing. Paused meanwhile; what the first import made is
            # frozen, as `check` does before its crawl and scoring.startup for spaCy.
            first = "partywatch.pipeline" not in sys.modules
            with collection_paused():
                # Imported for their side: loaded now, so scoring starts at once when the crawl ends.
                import partywatch.archive  # noqa: F401
                import partywatch.pipeline  # noqa: F401
                from scoring import Scorer, load_rubric_text

                if first:
                    gc.freeze()
                if self.rubric is None:
                    self.rubric = load_rubric_text(self.rubric_text, self.rubric_name)
                self.scorer = Scorer(self.rubric)
            wanted = self.start_spacy and (self._new_text or reads_new_text(self.engine, self.party_ids,
                                                                                self.rubric))
        except BaseException as exc:  # re-raised by result(), in the check's own thread
            self.error = exc
            wanted = False
        with self._lock:
            self._decided = True
            wanted = (wanted or self._new_text) and self.scorer is not None and not self._spacy_started
            self._spacy_started = self._spacy_started or wanted
        if wanted:
            self._prepare_spacy()

    def new_text_fetched(self) -> None:
        """The crawl stored new content: start spaCy now if it may start at all."""
        if not self.start_spacy:
            return
        with self._lock:
            self._new_text = True
            if not self._decided or self._spacy_started or self.scorer is None:
                return  # the loading thread sees the flag; or spaCy is starting already
            self._spacy_started = True
        self._thread(self._prepare_spacy)

    def _prepare_spacy(self) -> None:
        try:
            self.scorer.prepare()
        except Exception:
            pass

    def result(self) -> tuple[Rubric, Scorer]:
        """The rubric and the scorer, once loaded (spaCy may still be starting)."""
        if self._threads:
            self._threads[0].join()
        else:
            self._load()
        if self.error is not None:
            raise self.error
        return self.rubric, self.scorer

    def join(self) -> None:
        for thread in list(self._threads):
            thread.join()
