"""The research views (SQL views for researchers: Datasette, psql, sqlite3, pandas), as at
the latest revision.

They use only SQL that SQLite (>= 3.25, for window functions) and PostgreSQL both
understand, so one definition serves both back-ends. Migration 0002 created them from
these definitions, and history.schema creates them in a new database. A later migration
that changes a view copies the definition it replaces into itself (for its downgrade) and
into 0002, which must keep creating what it always created.
"""

# Each party's most recent scorecard, whatever its rubric version.
LATEST_SCORECARD = """
CREATE VIEW v_latest_scorecard AS
SELECT party_id, party_name, scorecard_id, run_id, rubric_version_id, rubric_version,
       scored_at, overall, grade
FROM (
    SELECT s.party_id AS party_id,
           p.name AS party_name,
           s.id AS scorecard_id,
           s.run_id AS run_id,
           s.rubric_version_id AS rubric_version_id,
           rv.version AS rubric_version,
           s.created_at AS scored_at,
           s.overall AS overall,
           s.grade AS grade,
           ROW_NUMBER() OVER (PARTITION BY s.party_id
                              ORDER BY s.created_at DESC, s.id DESC) AS recency
    FROM scorecards s
    JOIN parties p ON p.id = s.party_id
    JOIN rubric_versions rv ON rv.id = s.rubric_version_id
) ranked
WHERE recency = 1
"""

# One row per (scorecard, step): a party's step scores over time.
STEP_HISTORY = """
CREATE VIEW v_step_history AS
SELECT s.party_id AS party_id,
       p.name AS party_name,
       s.id AS scorecard_id,
       s.created_at AS scored_at,
       s.rubric_version_id AS rubric_version_id,
       rv.version AS rubric_version,
       ss.step_id AS step_id,
       ss.position AS step_position,
       ss.title AS step_title,
       ss.score AS score,
       s.overall AS overall,
       s.grade AS grade
FROM step_scores ss
JOIN scorecards s ON s.id = ss.scorecard_id
JOIN parties p ON p.id = s.party_id
JOIN rubric_versions rv ON rv.id = s.rubric_version_id
"""

# A step's score moving between two consecutive scorecards of the same party and the same
# rubric version (scores under different rubric versions are never compared).
STEP_CHANGES = """
CREATE VIEW v_step_changes AS
SELECT party_id, party_name, scorecard_id, previous_scorecard_id, scored_at,
       rubric_version_id, rubric_version, step_id, step_title,
       old_score, score AS new_score, score - old_score AS delta
FROM (
    SELECT h.party_id, h.party_name, h.scorecard_id, h.scored_at, h.rubric_version_id,
           h.rubric_version, h.step_id, h.step_title, h.score,
           LAG(h.score) OVER (PARTITION BY h.party_id, h.rubric_version_id, h.step_id
                              ORDER BY h.scored_at, h.scorecard_id) AS old_score,
           LAG(h.scorecard_id) OVER (PARTITION BY h.party_id, h.rubric_version_id, h.step_id
                                     ORDER BY h.scored_at, h.scorecard_id) AS previous_scorecard_id
    FROM v_step_history h
) sequenced
WHERE previous_scorecard_id IS NOT NULL AND old_score <> score
"""

# In the order they are created: v_step_changes reads v_step_history.
RESEARCH_VIEWS = (LATEST_SCORECARD, STEP_HISTORY, STEP_CHANGES)
