"""One module per CLI command; `partywatch.cli` registers them."""
