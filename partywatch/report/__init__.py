"""The static scorecard site (`partywatch report`) and the history charts it shares with
`partywatch history --plot`."""
