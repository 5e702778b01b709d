"""The Electoral Commission's spending returns: reading the export, importing it, matching
supplier names, and the gaps between who a party paid and who its notices name."""
