"""The kinds of document partywatch tells apart: parties.yaml lists documents by kind and a
rubric element names the kinds it applies to. A module of its own, so validating
parties.yaml does not load the rubric's schema."""

DOCUMENT_KINDS = ("privacy_notice", "supplier_list", "cookie_policy", "other")
