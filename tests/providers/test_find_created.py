"""Finding the stream of a create whose answer was lost (``Provider.find_created``)."""

from __future__ import annotations

from datetime import datetime, timezone

from livestream.models import LiveStream, StreamStatus
from livestream_fakes import FakeProvider

SENT_AT = datetime(2026, 11, 30, 10, 0, 0, tzinfo=timezone.utc).timestamp()


class Listed(FakeProvider):
    def __init__(self, streams):
        super().__init__()
        self._listed = streams

    def list(self):  # noqa: A003
        return list(self._listed)


def _stream(id_, title="Live class", status=StreamStatus.NOT_STARTED, created=None, reference=None):
    return LiveStream(provider="fake", id=id_, title=title, status=status, created_at=created, reference=reference)


def test_the_reference_wins_over_a_twin_with_the_same_title():
    p = Listed([_stream("twin"), _stream("ours", reference="ref-1")])
    assert p.find_created(reference="ref-1", title="Live class", sent_at=SENT_AT).id == "ours"


def test_by_title_when_the_provider_keeps_no_reference():
    p = Listed([_stream("other", title="Another class"), _stream("ours")])
    assert p.find_created(reference="ref-1", title="Live class", sent_at=SENT_AT).id == "ours"


def test_streams_already_known_or_ended_are_never_taken():
    p = Listed([_stream("known"), _stream("done", status=StreamStatus.ENDED)])
    assert p.find_created(reference=None, title="Live class", sent_at=SENT_AT, exclude={"known"}) is None


def test_a_creation_time_far_from_the_request_is_not_taken():
    yesterday = datetime(2026, 11, 29, 10, 0, 0, tzinfo=timezone.utc)
    p = Listed([_stream("yesterday", created=yesterday)])
    assert p.find_created(reference=None, title="Live class", sent_at=SENT_AT) is None


def test_a_naive_time_in_utc_or_local_time_is_taken_and_the_closest_twin_wins():
    near = datetime(2026, 11, 30, 10, 0, 3)  # no zone: TP Streams does not say which it sends
    later = datetime(2026, 11, 30, 10, 5, 0)
    p = Listed([_stream("later", created=later), _stream("near", created=near)])
    assert p.find_created(reference=None, title="Live class", sent_at=SENT_AT).id == "near"


def test_no_title_and_no_reference_finds_nothing():
    p = Listed([_stream("x")])
    assert p.find_created(reference=None, title=None, sent_at=SENT_AT) is None
