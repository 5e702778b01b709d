"""partywatch: party data-transparency scorecards, their history, and a Telegram bot."""

__version__ = "0.1.0"
