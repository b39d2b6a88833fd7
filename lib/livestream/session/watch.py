"""Has the provider really ended the stream? One ambiguous status word is not enough.

TP Streams documents "Recording" two ways. Its webhooks page: after the live stream is
stopped it "enters recording state, initiating transcoding"
(https://developer.tpstreams.com/docs/live-stream-api/webhook-response). Its live-stream
events page: RECORDING means "the stream is actively being recorded ... even if the live
broadcast itself ends"
(https://developer.tpstreams.com/docs/live-stream-api/live-stream-event-status), which a
stream that is still live can report. So while a go-live is under way that word alone
neither aborts it nor is reported as "ended by the provider": the next poll decides. It
confirms the end with a second end-of-stream word in a row, or with the stream key gone
from a stream that had one; anything else clears it. Words that can only mean the end
(Stopped, Completed, Error) count at once.
"""

from __future__ import annotations

from typing import Literal

from ..models import LiveStream, StreamStatus

#: End-of-stream words a provider also documents for a stream that is still running.
AMBIGUOUS: frozenset[StreamStatus] = frozenset({StreamStatus.RECORDING})

Verdict = Literal["running", "unconfirmed", "ended"]


class EndWatch:
    """Judges each status answer of one stream, remembering the one before."""

    def __init__(self) -> None:
        self._unconfirmed = False

    def reset(self) -> None:
        self._unconfirmed = False

    @property
    def unconfirmed(self) -> bool:
        """The last answer was an ambiguous end-of-stream word that the next one must confirm."""
        return self._unconfirmed

    def judge(self, stream: LiveStream, *, had_key: bool) -> Verdict:
        """``had_key``: OBS was given this stream's key, so an answer without it means it is gone."""
        status = stream.status
        if not status.is_terminal:
            self._unconfirmed = False
            return "running"
        if status not in AMBIGUOUS or self._unconfirmed or (had_key and not stream.ingest_ready):
            self._unconfirmed = False
            return "ended"
        self._unconfirmed = True
        return "unconfirmed"
