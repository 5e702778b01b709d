"""The crawl writes fetches in groups: one transaction for many, and a bad one fails alone."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from history.db import transaction
from history.models import DocumentRow, FetchRow, PartyRow, SnapshotRow
from spiders.items import DocumentFetch
from spiders.pipelines import HistoryPipeline


@pytest.fixture
def pipeline(engine):
    pipeline = HistoryPipeline(run_id=None)
    pipeline.open(engine)
    yield pipeline
    pipeline.close()


def test_a_group_of_fetches_is_stored(engine, pipeline):
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="SNP", jurisdiction="GB-SCT", homepage="http://127.0.0.1/"))
    items = [DocumentFetch("snp", f"http://127.0.0.1/privacy-{n}.html", "privacy_notice", 200,
                           raw=f"<p>notice {n}</p>".encode(), content_type="text/html") for n in range(3)]
    items.append(DocumentFetch("snp", "http://127.0.0.1/gone.html", "privacy_notice", 404, error="HTTP 404"))
    results = pipeline._store_group(items)
    assert [(ok, new, status) for ok, _error, new, _id, status in results] == \
        [(True, True, "ok")] * 3 + [(False, False, "gone")]
    with transaction(engine) as session:
        assert len(session.scalars(select(FetchRow)).all()) == 4


def test_a_fetch_that_cannot_be_stored_fails_alone(engine, pipeline):
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="SNP", jurisdiction="GB-SCT", homepage="http://127.0.0.1/"))
    good = DocumentFetch("snp", "http://127.0.0.1/privacy.html", "privacy_notice", 200,
                         raw=b"<p>We keep canvassing data for two years.</p>", content_type="text/html")
    unknown_party = DocumentFetch("nobody", "http://127.0.0.1/x.html", "privacy_notice", 200,
                                  raw=b"<p>x</p>", content_type="text/html")
    also_good = DocumentFetch("snp", "http://127.0.0.1/suppliers.html", "supplier_list", 200,
                              raw=b"<p>Our suppliers</p>", content_type="text/html")
    results = pipeline._store_group([good, unknown_party, also_good])
    assert isinstance(results[1], Exception)  # the party is not in the history
    assert results[0][0] is True and results[2][0] is True
    with transaction(engine) as session:
        stored = sorted(session.scalars(select(DocumentRow.url)))
    assert stored == ["http://127.0.0.1/privacy.html", "http://127.0.0.1/suppliers.html"]


def test_what_a_crawl_stores_for_new_unchanged_not_modified_and_failed_fetches(engine, pipeline):
    """Every column the crawl writes, for each kind of fetch, as the history's readers rely on."""
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="SNP", jurisdiction="GB-SCT", homepage="http://127.0.0.1/"))
    url = "http://127.0.0.1/privacy.html"
    body = b"<p>We keep canvassing data for two years.</p>"

    def fetch(**fields):
        return DocumentFetch("snp", url, "privacy_notice", fields.pop("http_status", 200), **fields)

    first = pipeline._store_group([fetch(raw=body, content_type="text/html; charset=utf-8",
                                         validators=('"v1"', "Wed, 01 Oct 2025 09:00:00 GMT"))])
    again = pipeline._store_group([fetch(raw=body, content_type="text/html", validators=('"v1"', None))])
    not_modified = pipeline._store_group([fetch(http_status=304, not_modified=True,
                                                validators=(None, "Thu, 02 Oct 2025 09:00:00 GMT"))])
    failed = pipeline._store_group([fetch(http_status=503, error="HTTP 503"),
                                    fetch(http_status=403, error="a bot-protection challenge",
                                          status="blocked")])
    assert [r[:3] + r[4:] for r in first + again + not_modified + failed] == [
        (True, None, True, "ok"), (True, None, False, "ok"), (True, None, False, "ok"),
        (False, "HTTP 503", False, "failed"), (False, "a bot-protection challenge", False, "blocked")]

    with transaction(engine) as session:
        [snapshot] = session.scalars(select(SnapshotRow).options(undefer(SnapshotRow.raw))).all()
        fetches = session.scalars(select(FetchRow).order_by(FetchRow.id)).all()
        [document] = session.scalars(select(DocumentRow)).all()
    # One snapshot, of the first fetch's content and Content-Type: an unchanged body is not stored again.
    assert (snapshot.raw, snapshot.size, snapshot.content_type, snapshot.content_hash, snapshot.provenance,
            snapshot.captured_at, snapshot.text) == (
        body, len(body), "text/html; charset=utf-8", hashlib.sha256(body).hexdigest(), "fetched", None, None)
    assert snapshot.fetched_at == fetches[0].fetched_at
    assert [(f.ok, f.http_status, f.error, f.snapshot_id, f.new_content, f.run_id) for f in fetches] == [
        (True, 200, None, snapshot.id, True, None), (True, 200, None, snapshot.id, False, None),
        (True, 304, None, snapshot.id, False, None), (False, 503, "HTTP 503", None, False, None),
        (False, 403, "a bot-protection challenge", None, False, None)]
    # The 304 kept the ETag it did not repeat and took the new Last-Modified; two failures since.
    assert (document.kind, document.status, document.consecutive_failures, document.etag,
            document.last_modified, document.last_ok_at) == (
        "privacy_notice", "blocked", 2, '"v1"', "Thu, 02 Oct 2025 09:00:00 GMT", fetches[2].fetched_at)
