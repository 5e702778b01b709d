"""End a partywatch process without the interpreter's teardown.

Used by the two programs partywatch runs as processes of their own, the `partywatch`
command and the crawl process (spiders.crawl), once their work is stored and their output
written. Freeing scrapy, Twisted, SQLAlchemy and spaCy module by module at exit takes half
a second to a second here and does nothing for a process that ends: the operating system
takes the memory back and closes the files and connections. Logging and the standard
streams are flushed first; nothing partywatch stores waits for exit (every transaction is
committed when its `with` block ends). While another thread still runs (one that is not a
daemon), the process exits the usual way, which waits for it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
           if thread is not threading.main_thread()):
        sys.exit(code)  # a thread still works: the interpreter waits for it, as usual
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe or stream: nothing left to say
    os._exit(code)
