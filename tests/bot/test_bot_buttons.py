"""Inline buttons (the callback-data codec, one handler per action), /parties in one query,
and admin commands gated by user: through the real application and the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.callbacks import MAX_BYTES, SCORE, WHY, CallbackDataError
from helpers.bot import ADMIN, PARTIES, RunningBot
from history.db import transaction
from history.store import sync_parties

USER = 1001
LONG_ID = "a-party-whose-id-is-far-too-long-for-a-telegram-button-xyzw"  # 60 characters


def ask(fake, text, chat=USER, count=1, user=None):
    before = len(fake.messages_to(chat))
    fake.send_command(chat, text, user_id=user)
    return fake.wait_for_messages(chat, before + count)[before:]


def buttons_of(message) -> list[str]:
    return [b["callback_data"] for row in message.reply_markup["inline_keyboard"] for b in row]


def test_callback_data_round_trips_and_is_never_cut():
    data = WHY.encode("snp", "retention")
    assert data == "why:snp:retention" and WHY.decode(data) == ["snp", "retention"]
    assert len(SCORE.encode("p" * (MAX_BYTES - len("score:"))).encode()) == MAX_BYTES  # exactly 64: fine
    with pytest.raises(CallbackDataError, match="65 bytes; Telegram allows 64"):
        SCORE.encode("p" * (MAX_BYTES - len("score:") + 1))
    # Bytes, not characters: 30 × "é" is 60 bytes.
    with pytest.raises(CallbackDataError, match="66 bytes"):
        SCORE.encode("é" * 30)
    with pytest.raises(CallbackDataError, match="holds ':'"):
        WHY.encode("snp:labour", "retention")


def test_a_button_telegram_would_refuse_is_left_out_not_cut(scored, fake):
    with transaction(scored) as session:
        sync_parties(session, [{"id": LONG_ID, "name": "The Long Id Party", "jurisdiction": "GB",
                                "homepage": "https://long.example/"}])
    bot = RunningBot(scored, fake).start()
    try:
        (answer,) = ask(fake, "/parties")
        assert f"{LONG_ID} The Long Id Party — not scored yet" in answer.plain  # still listed
        buttons = buttons_of(answer)
        assert sorted(buttons) == sorted(f"score:{p['id']}" for p in PARTIES)
        assert all(len(b.encode()) <= MAX_BYTES for b in buttons)
        # The party is still reachable by name.
        (answer,) = ask(fake, "/score the long id party")
        assert "The Long Id Party has no scorecard yet" in answer.plain
    finally:
        bot.stop()


def test_parties_is_answered_from_one_query(running, fake, scored):
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "scorecards" in statement or "not_scored" in statement:
            statements.append(statement)

    event.listen(scored, "before_cursor_execute", seen)
    try:
        (answer,) = ask(fake, "/parties")
    finally:
        event.remove(scored, "before_cursor_execute", seen)
    assert "Scottish National Party — B (70.5)" in answer.plain
    assert "Liberal Democrats — C (62)" in answer.plain
    assert len(statements) == 1, statements


def test_each_button_reaches_its_own_handler(running, fake):
    fake.press_button(USER, "hist:labour")
    (chart,) = fake.wait_for_messages(USER, 1)
    assert chart.photo.startswith(b"\x89PNG") and "Labour Party: 1 scorecard" in chart.plain
    fake.press_button(USER, "sub:libdems")
    (subscribed,) = fake.wait_for_messages(USER, 2)[1:]
    assert "Subscribed: you will get a message when Liberal Democrats's scorecard changes" in subscribed.plain
    fake.press_button(USER, "unsub:libdems")
    (unsubscribed,) = fake.wait_for_messages(USER, 3)[2:]
    assert "Unsubscribed from Liberal Democrats." in unsubscribed.plain
    fake.press_button(USER, "score:nobody")
    (gone,) = fake.wait_for_messages(USER, 4)[3:]
    assert "That party is no longer watched" in gone.plain
    fake.press_button(USER, "frobnicate:snp")  # a button from some older version of the bot
    (stale,) = fake.wait_for_messages(USER, 5)[4:]
    assert "That button no longer works" in stale.plain
    assert len(fake.calls_of("answerCallbackQuery")) == 5


def test_admin_commands_answer_the_admin_user_not_the_chat(scored, fake):
    calls = []

    def check(engine, party_ids):
        calls.append(party_ids)

    bot = RunningBot(scored, fake, check=check).start()
    group = 777
    try:
        (refused,) = ask(fake, "/check snp", chat=group, user=USER)
        assert "Sorry, /check is only for the bot's admins." in refused.plain
        started, finished = ask(fake, "/check tories", chat=group, user=ADMIN, count=2)
        assert "Check started for conservatives" in started.plain  # an alias from parties.yaml
        assert "Check finished" in finished.plain
        assert calls == [("conservatives",)]
    finally:
        bot.stop()
