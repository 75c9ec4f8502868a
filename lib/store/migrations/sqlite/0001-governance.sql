-- Schema version 1: the governance domain and its audit chain.
-- Times are ISO 8601 UTC text ("2026-11-26T14:03:00Z"), dates "2026-11-26".
-- BOOLEAN and JSON are declared so the store reports those kinds to lib/core.

CREATE TABLE mrm_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  name       TEXT PRIMARY KEY,
  roles      TEXT NOT NULL,              -- sorted, comma separated
  created_at TEXT NOT NULL
);

CREATE TABLE user_tokens (
  id         INTEGER PRIMARY KEY,
  user_name  TEXT NOT NULL REFERENCES users(name),
  prefix     TEXT NOT NULL,              -- first characters, to tell tokens apart
  token_hash TEXT NOT NULL UNIQUE,       -- SHA-256 of the token; the token itself is never stored
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE models (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  owner            TEXT NOT NULL REFERENCES users(name),
  team             TEXT,
  purpose          TEXT NOT NULL,
  intended_use     TEXT,
  out_of_scope_use TEXT,
  population       TEXT,
  type             TEXT NOT NULL CHECK (type IN ('classification','regression','ranking','llm','agent','other')),
  genai            BOOLEAN NOT NULL DEFAULT 0,
  vendor           TEXT,
  data_sources     JSON NOT NULL DEFAULT '[]',
  status           TEXT NOT NULL CHECK (status IN ('development','validation','production','retired')),
  deployment       TEXT,
  tier             INTEGER CHECK (tier BETWEEN 1 AND 3),
  tier_rationale   TEXT,
  tier_source      TEXT CHECK (tier_source IN ('assessment','override')),
  current_version  TEXT,
  review_status    TEXT NOT NULL DEFAULT 'none'
                   CHECK (review_status IN ('none','open','approved','conditional','rejected','required')),
  last_reviewed    TEXT,
  next_review_due  TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX models_tier ON models(tier);
CREATE INDEX models_status ON models(status);

CREATE TABLE versions (
  id              INTEGER PRIMARY KEY,
  model_id        TEXT NOT NULL REFERENCES models(id),
  version         TEXT NOT NULL,
  artifact        TEXT,
  artifact_sha256 TEXT,
  change_type     TEXT NOT NULL CHECK (change_type IN ('new','retrain','prompt','routing','data','code','vendor')),
  material        BOOLEAN NOT NULL DEFAULT 0,
  notes           TEXT,
  created_by      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  UNIQUE (model_id, version)
);

CREATE TABLE tier_assessments (
  id             INTEGER PRIMARY KEY,
  model_id       TEXT NOT NULL REFERENCES models(id),
  kind           TEXT NOT NULL CHECK (kind IN ('assessment','override')),
  answers        JSON,                    -- factor -> answer (assessments)
  score          INTEGER,
  computed_tier  INTEGER CHECK (computed_tier BETWEEN 1 AND 3),
  tier           INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),  -- the tier in force after this row
  rationale      TEXT NOT NULL,
  reason         TEXT,                    -- overrides: why
  assessed_by    TEXT NOT NULL,
  created_at     TEXT NOT NULL
);
CREATE INDEX tier_assessments_model ON tier_assessments(model_id);

CREATE TABLE evidence (
  id          INTEGER PRIMARY KEY,
  model_id    TEXT NOT NULL REFERENCES models(id),
  version     TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('validation-report','fairness-report','drift-report','redteam-report',
                                            'model-card','data-sheet','monitoring-plan','risk-assessment','other')),
  path        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  size        INTEGER NOT NULL,
  note        TEXT,
  produced_by TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX evidence_model ON evidence(model_id);

CREATE TABLE findings (
  id                INTEGER PRIMARY KEY,
  model_id          TEXT NOT NULL REFERENCES models(id),
  version           TEXT,
  severity          TEXT NOT NULL CHECK (severity IN ('critical','high','medium','low')),
  category          TEXT NOT NULL CHECK (category IN ('performance','fairness','robustness','privacy','security',
                                                     'safety','reliability','documentation','governance')),
  title             TEXT NOT NULL,
  description       TEXT,
  owner             TEXT NOT NULL REFERENCES users(name),
  due               TEXT,
  status            TEXT NOT NULL CHECK (status IN ('open','in-remediation','awaiting-verification','closed')),
  evidence_id       INTEGER REFERENCES evidence(id),
  repeat_of         INTEGER REFERENCES findings(id),
  raised_by         TEXT NOT NULL,
  verified_by       TEXT,
  verified_at       TEXT,
  verification_evidence_id INTEGER REFERENCES evidence(id),
  verification_note TEXT,
  closed_by         TEXT,
  closed_at         TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX findings_model ON findings(model_id, status);
CREATE INDEX findings_status ON findings(status, severity);
CREATE INDEX findings_status_id ON findings(status, id);  -- lists by status in id order, no sort

CREATE TABLE acceptances (
  id             INTEGER PRIMARY KEY,
  model_id       TEXT NOT NULL REFERENCES models(id),
  accepted_by    TEXT NOT NULL REFERENCES users(name),
  authority_role TEXT NOT NULL,
  model_tier     INTEGER,                  -- tier when accepted
  rationale      TEXT NOT NULL,
  controls       TEXT,
  expires        TEXT NOT NULL,            -- date; from that day on the acceptance no longer covers
  triggers       JSON NOT NULL DEFAULT '[]',
  created_at     TEXT NOT NULL,
  revoked_at     TEXT,
  revoked_by     TEXT,
  revoke_reason  TEXT
);
CREATE INDEX acceptances_model ON acceptances(model_id);

CREATE TABLE acceptance_findings (
  id            INTEGER PRIMARY KEY,
  acceptance_id INTEGER NOT NULL REFERENCES acceptances(id),
  finding_id    INTEGER NOT NULL REFERENCES findings(id),
  UNIQUE (acceptance_id, finding_id)
);
CREATE INDEX acceptance_findings_finding ON acceptance_findings(finding_id);

CREATE TABLE reviews (
  id              INTEGER PRIMARY KEY,
  model_id        TEXT NOT NULL REFERENCES models(id),
  version         TEXT,
  status          TEXT NOT NULL CHECK (status IN ('open','decided')),
  reason          TEXT,
  intake_complete BOOLEAN,                  -- first-pass intake quality: was the submission complete?
  opened_by       TEXT NOT NULL,
  opened_at       TEXT NOT NULL,
  decision        TEXT CHECK (decision IN ('approve','conditional','reject')),
  decision_note   TEXT,
  conditions      JSON NOT NULL DEFAULT '[]',
  decided_by      TEXT,
  decided_at      TEXT
);
CREATE INDEX reviews_model ON reviews(model_id);

CREATE TABLE signoffs (
  id         INTEGER PRIMARY KEY,
  model_id   TEXT NOT NULL REFERENCES models(id),
  version    TEXT,
  role       TEXT NOT NULL CHECK (role IN ('owner','validator','approver','auditor','admin')),
  user_name  TEXT NOT NULL REFERENCES users(name),
  note       TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX signoffs_model ON signoffs(model_id);

CREATE TABLE incidents (
  id              INTEGER PRIMARY KEY,
  model_id        TEXT NOT NULL REFERENCES models(id),
  severity        TEXT NOT NULL CHECK (severity IN ('sev1','sev2','sev3','sev4')),
  title           TEXT NOT NULL,
  description     TEXT,
  started         TEXT,
  detected        TEXT,
  mitigated       TEXT,
  resolved        TEXT,
  root_cause      TEXT,
  root_cause_note TEXT,
  opened_by       TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX incidents_model ON incidents(model_id);

CREATE TABLE incident_findings (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  finding_id  INTEGER NOT NULL REFERENCES findings(id),
  UNIQUE (incident_id, finding_id)
);

-- The tamper-evident audit trail: one row per mutation, hash-chained.
-- state_hash is the SHA-256 of the object's row after the change (its
-- canonical JSON), or NULL when the change deleted it; `mrm audit verify`
-- replays these to detect rows edited behind mrm's back.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  ts           TEXT NOT NULL,             -- effective time ($MRM_NOW or the clock)
  recorded_at  TEXT NOT NULL,             -- the clock when it was written
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  model_id     TEXT,
  change       JSON NOT NULL,
  state_hash   TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_events_model ON audit_events(model_id, seq);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id, seq);
