"""What several test folders share: fixture web sites, the fake Telegram Bot API, a built
score history, the spending export generator and the crawl tests' helpers.

Imported as `helpers.<module>` (pyproject's pytest `pythonpath` puts tests/ on the path),
so no test edits sys.path or imports another folder's conftest.
"""
