"""What the crawl process tells its parent on its stdout: progress, and every fetch to store.

Each message is one JSON object on a line, with "event". An `item` message (a fetch the
parent is to store) is followed by the fetch's body as raw bytes, as many as its "body"
says (null: no body). Raw bytes rather than base64 in the JSON line: a body crosses the pipe
at its own size and neither side encodes or scans it. Measured on a 20 KB page, framing and
unframing cost ~10 µs each side this way, ~200 µs with base64 (7 ms for a 500 KB PDF).

The crawl process keeps its stdout for these messages alone (open_channel): whatever else
writes to stdout there (a library's stray print) goes to stderr, so nothing can break the
framing. Messages come from two threads (the reactor's, and the one that hands over
fetches, spiders.handover); a lock keeps each whole.

Events:
    start     {"parties": [...], "requests": n}
    item      a document fetch for the parent to store: the fields of spiders.items
              .DocumentFetch but its bytes, which follow the line ("body": their length)
    skipped   a request was not made: party, url, reason (robots.txt, host not allowed)
    page_failed  a page that is not a document (a homepage) failed: party, url, error
    done      {"stats": {...}, "elapsed": seconds}
The parent (spiders.runner) passes these on to its caller, except `item`: it stores the
fetch (spiders.pipelines) and then reports it as
    fetch     a document fetch was recorded: party, url, kind, ok, http_status, status,
              new_content, error, document_id, rendered, size
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import fields
from typing import BinaryIO, Iterator

from spiders.items import DocumentFetch

_channel: BinaryIO | None = None
_lock = threading.Lock()
_ITEM_FIELDS = tuple(f.name for f in fields(DocumentFetch) if f.name != "raw")


def open_channel() -> None:
    """Keep this process's stdout for messages to the parent; send all else written there to stderr."""
    global _channel
    sys.stdout.flush()
    _channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def _send(message: dict, body: bytes | None = None) -> None:
    line = json.dumps(message, default=str).encode() + b"\n"
    with _lock:
        channel = _channel if _channel is not None else sys.stdout.buffer
        channel.write(line)
        if body:
            channel.write(body)
        channel.flush()


def emit(event: str, **fields) -> None:
    _send({"event": event, **fields})


def hand_over(item: DocumentFetch) -> None:
    """Send a fetch to the parent, to be stored there. Blocks while the pipe is full."""
    message = {name: getattr(item, name) for name in _ITEM_FIELDS}
    message["body"] = None if item.raw is None else len(item.raw)
    _send({"event": "item", **message}, item.raw)


def received_fetch(message: dict, body: bytes | None) -> DocumentFetch:
    """The DocumentFetch an `item` message and its body carry (the parent's side of hand_over)."""
    fetch = DocumentFetch(**{name: message[name] for name in _ITEM_FIELDS}, raw=body)
    if fetch.validators is not None:
        fetch.validators = tuple(fetch.validators)
    return fetch


def read_messages(stream: BinaryIO) -> Iterator[tuple[dict, bytes | None]]:
    """Each message on the crawl process's stdout with the body that follows it, until the
    stream ends. A message whose body was cut short (the process was killed while writing
    it) ends the stream: a truncated body is never passed on to be stored."""
    for line in stream:
        try:
            message = json.loads(line)
        except ValueError:
            continue  # not a message (the channel is ours alone; this is only a guard)
        if not isinstance(message, dict):
            continue
        size = message.get("body")
        body = None
        if size is not None:
            body = stream.read(size)
            if len(body) < size:
                return
        yield message, body
