"""A fake Telegram Bot API server on 127.0.0.1, for tests and the broadcast benchmark.

It speaks the real HTTP protocol python-telegram-bot uses (form-encoded and multipart
bodies, JSON answers), so the real Application runs against it unchanged:

    fake = FakeTelegram().start()
    os.environ["TELEGRAM_API_BASE_URL"] = fake.base_url      # http://127.0.0.1:PORT/bot
    fake.send_command(1001, "/score snp")                    # a user types a command
    fake.wait_for_messages(1001, 1)                          # what the bot answered

Like Telegram it rejects a message over 4,096 characters and HTML it cannot parse
(unknown tags, unbalanced tags, a bare '&' or '<'), and it can be told to answer 429
(with retry_after), 403 (blocked), 500, or to answer late (`fail`, `block`). Every call is
recorded (`calls`), every accepted message too (`messages`), with arrival times: when the
request's first bytes reached the server's socket, as the kernel stamped them
(SO_TIMESTAMPNS), so a server thread that is slow to get the CPU or the GIL does not
bunch arrivals up and count more messages into one second than were sent in it.

With `flood_limit=30` it also enforces Telegram's overall limit the way Telegram does: a
message arriving when `flood_limit` messages were accepted in the second before it is
answered 429 (retry after 1 s) and not delivered; `flood_refusals` counts them.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "span", "tg-spoiler", "tg-emoji", "blockquote"}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*(/?)>")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; the constant is not always exported
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


def check_html(text: str) -> str | None:
    """Telegram's complaint about `text` in HTML parse mode, or None if it is fine."""
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = TAG.match(text, i)
            if not match:
                return f"Can't parse entities: unsupported start tag at byte offset {i}"
            closing, name = match.group(1), match.group(2).lower()
            if name not in ALLOWED_TAGS:
                return f'Can\'t parse entities: unsupported start tag "{name}" at byte offset {i}'
            if closing:
                if not stack or stack[-1] != name:
                    return f'Can\'t parse entities: can\'t find end tag corresponding to start tag "{name}"'
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = ENTITY.match(text, i)
            if not match:
                return f"Can't parse entities: unsupported entity at byte offset {i}"
            i = match.end()
        elif char == ">":
            i += 1  # Telegram tolerates a bare '>'
        else:
            i += 1
    if stack:
        return f'Can\'t parse entities: can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return None


def kernel_arrival_time(connection: socket.socket) -> float | None:
    """When the next bytes to read reached the socket (waits for them), or None if unknown.

    Peeks, so the request is read as usual afterwards. python-telegram-bot's HTTP client
    sends one request at a time per connection, so nothing is buffered ahead of the peek.
    """
    try:
        data, ancillary, _flags, _address = connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
    except OSError:
        return None
    for level, kind, payload in ancillary:
        if data and level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
            seconds, nanoseconds = struct.unpack("qq", payload[:16])
            return seconds + nanoseconds / 1e9
    return None


def visible_text(text: str) -> str:
    """What the user sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Message:
    chat_id: int
    message_id: int
    method: str
    text: str  # as sent (HTML)
    plain: str  # as shown
    time: float
    reply_markup: dict | None = None
    photo: bytes | None = None


@dataclass
class Rule:
    method: str
    kind: str  # "429" | "403" | "500" | "delay"
    times: int
    chat_id: int | None = None
    retry_after: int = 1
    seconds: float = 0.0


@dataclass
class Call:
    method: str
    params: dict
    time: float
    status: int = 200
    files: dict = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token_abcdefghij", bot_id: int = 4242,
                 username: str = "partywatch_test_bot", record_calls: bool = True,
                 flood_limit: int | None = None):
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.record_calls = record_calls
        self.flood_limit = flood_limit
        self.flood_refusals = 0
        self._accepted_times: deque[float] = deque()  # arrival times of the last second's messages
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.updates: list[dict] = []
        self.rules: list[Rule] = []
        self.blocked: set[int] = set()
        self.on_message = None  # called (in the server thread) with each accepted Message
        self._next_update = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._stopping = False
        self._connections: set = set()

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> "FakeTelegram":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                except OSError:
                    pass  # no kernel timestamps here: arrival times are taken on reading

            def handle_one_request(self):
                self.arrived = kernel_arrival_time(self.connection)
                super().handle_one_request()

            def handle(self):
                fake._connections.add(self.connection)
                try:
                    super().handle()
                finally:
                    fake._connections.discard(self.connection)

            def do_POST(self):
                fake._handle(self)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-telegram").start()
        return self

    def stop(self) -> None:
        self._stopping = True
        with self._lock:
            self._lock.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        for connection in list(self._connections):  # kept-alive clients too: "down" means down
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- driving the bot like a user ---------------------------------------------------

    def _user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "username": f"user{user_id}"}

    def _chat(self, chat_id: int) -> dict:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}", "username": f"user{chat_id}"}

    def push_update(self, update: dict) -> None:
        with self._lock:
            update["update_id"] = next(self._next_update)
            self.updates.append(update)
            self._lock.notify_all()

    def send_command(self, chat_id: int, text: str, user_id: int | None = None) -> None:
        """The user `chat_id` writes `text` (a command: it gets a bot_command entity)."""
        command = text.split()[0]
        self.push_update({"message": {
            "message_id": next(self._ids(chat_id)), "date": int(time.time()),
            "chat": self._chat(chat_id), "from": self._user(user_id or chat_id), "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]}})

    def press_button(self, chat_id: int, data: str, message_id: int = 1) -> None:
        """The user presses an inline button carrying `data` under one of the bot's messages."""
        self.push_update({"callback_query": {
            "id": f"cq{time.monotonic_ns()}", "from": self._user(chat_id), "chat_instance": "ci",
            "data": data, "message": {"message_id": message_id, "date": int(time.time()),
                                      "chat": self._chat(chat_id), "text": "…",
                                      "from": {"id": self.bot_id, "is_bot": True,
                                               "first_name": "PartyWatch"}}}})

    # --- failures ----------------------------------------------------------------------

    def fail(self, method: str, kind: str, times: int = 1, chat_id: int | None = None,
             retry_after: int = 1, seconds: float = 0.0) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `kind`."""
        with self._lock:
            self.rules.append(Rule(method, kind, times, chat_id, retry_after, seconds))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every message to them gets 403."""
        self.blocked.add(chat_id)

    # --- looking at what happened ------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.chat_id == chat_id]

    def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 15.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self.messages if m.chat_id == chat_id]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} message(s) to {chat_id}, got {len(found)}: "
                                         f"{[m.plain[:200] for m in found]}")
                self._lock.wait(min(left, 0.2))

    def wait_until(self, predicate, timeout: float = 15.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                self._lock.wait(min(left, 0.2))

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # --- the server side ---------------------------------------------------------------

    def _ids(self, chat_id: int) -> itertools.count:
        return self._message_ids.setdefault(chat_id, itertools.count(1))

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        arrived = getattr(request, "arrived", None) or time.time()
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        match = re.match(r"^/bot([^/]+)/([A-Za-z]+)$", request.path.split("?")[0])
        if not match:
            return self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = match.groups()
        if token != self.token:
            return self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        params, files = self._parse(request.headers.get("Content-Type", ""), body)
        call = Call(method, params, arrived, files=files)
        if self.record_calls:
            with self._lock:
                self.calls.append(call)
        status, answer, delay = self._answer(method, params, files, arrived)
        call.status = status
        if delay:
            time.sleep(delay)
        self._reply(request, status, answer)

    @staticmethod
    def _parse(content_type: str, body: bytes) -> tuple[dict, dict]:
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
            params, files = {}, {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    files[name] = data
                else:
                    params[name] = data.decode("utf-8")
            return params, files
        if content_type.startswith("application/json"):
            return (json.loads(body) if body else {}), {}
        return {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}, {}

    def _rule_for(self, method: str, chat_id: int | None) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.times > 0 and rule.method == method and rule.chat_id in (None, chat_id):
                    rule.times -= 1
                    return rule
        return None

    def _answer(self, method: str, params: dict, files: dict, arrived: float) -> tuple[int, dict, float]:
        ok = lambda result: (200, {"ok": True, "result": result}, 0.0)  # noqa: E731
        bad = lambda code, text: (code, {"ok": False, "error_code": code, "description": text}, 0.0)  # noqa: E731
        if method == "getMe":
            return ok({"id": self.bot_id, "is_bot": True, "first_name": "PartyWatch",
                       "username": self.username, "can_join_groups": False,
                       "can_read_all_group_messages": False, "supports_inline_queries": False})
        if method in ("deleteWebhook", "setMyCommands", "close", "logOut", "answerCallbackQuery"):
            return ok(True)
        if method == "getUpdates":
            return ok(self._get_updates(params))
        if method in ("sendMessage", "sendPhoto", "editMessageText"):
            try:
                chat_id = int(params.get("chat_id"))
            except (TypeError, ValueError):
                return bad(400, "Bad Request: chat not found")
            rule = self._rule_for(method, chat_id)
            delay = 0.0
            if rule and rule.kind == "429":
                return (429, {"ok": False, "error_code": 429,
                              "description": f"Too Many Requests: retry after {rule.retry_after}",
                              "parameters": {"retry_after": rule.retry_after}}, 0.0)
            if chat_id in self.blocked or (rule and rule.kind == "403"):
                return bad(403, "Forbidden: bot was blocked by the user")
            if rule and rule.kind == "500":
                return bad(500, "Internal Server Error")
            if rule and rule.kind == "delay":
                delay = rule.seconds
            text = params.get("text" if method != "sendPhoto" else "caption", "") or ""
            limit = 1024 if method == "sendPhoto" else 4096
            if method != "sendPhoto" and not text.strip():
                return bad(400, "Bad Request: message text is empty")
            if len(text) > limit:
                return bad(400, "Bad Request: message is too long")
            if params.get("parse_mode") == "HTML":
                problem = check_html(text)
                if problem:
                    return bad(400, f"Bad Request: {problem}")
            if method == "sendPhoto" and not files.get("photo", b"").startswith(b"\x89PNG"):
                return bad(400, "Bad Request: photo is not a PNG")
            markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
            with self._lock:
                if self._flooded(arrived):
                    self.flood_refusals += 1
                    return (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                  "parameters": {"retry_after": 1}}, 0.0)
                message = Message(chat_id, next(self._ids(chat_id)), method, text, visible_text(text),
                                  arrived, markup, files.get("photo"))
                self.messages.append(message)
                self._lock.notify_all()
            if self.on_message:
                self.on_message(message)
            result = {"message_id": message.message_id, "date": int(message.time),
                      "chat": self._chat(chat_id),
                      "from": {"id": self.bot_id, "is_bot": True, "first_name": "PartyWatch"}}
            if method == "sendPhoto":
                result["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 900, "height": 500}]
                if text:
                    result["caption"] = text
            else:
                result["text"] = message.plain
            return 200, {"ok": True, "result": result}, delay
        return bad(404, "Not Found: method not found")

    def _flooded(self, arrived: float) -> bool:
        """With a flood limit: would one more message arriving at `arrived` exceed it? (Holds the lock.)"""
        if self.flood_limit is None:
            return False
        recent = self._accepted_times
        while recent and recent[0] <= arrived - 1.0:
            recent.popleft()
        if sum(1 for t in recent if t > arrived - 1.0) >= self.flood_limit:
            return True
        recent.append(arrived)
        return False

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self._stopping:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending:
                    return pending[: int(params.get("limit") or 100)]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._lock.wait(min(left, 0.5))
        return []

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout, or it was killed)

    # --- figures for the benchmark (bench/broadcast_bench.py) --------------------------

    def max_in_window(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most messages that arrived within any `window` seconds (to one chat, if given)."""
        with self._lock:
            times = sorted(m.time for m in self.messages if chat_id is None or m.chat_id == chat_id)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best
