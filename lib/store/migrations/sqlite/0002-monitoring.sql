-- Schema version 2: monitors, their results, alerts and the alert delivery queue.
-- Every row is a governance object (lib/core/objects.c): each insert and update writes an
-- audit event in the same transaction, so `mrm audit verify` replays these tables too.

-- A signal watched on a model, with warn and alert thresholds (docs/monitoring.md).
CREATE TABLE monitors (
  id               INTEGER PRIMARY KEY,
  model_id         TEXT NOT NULL REFERENCES models(id),
  signal           TEXT NOT NULL,          -- drift_share, drift:COL[:MEASURE], metric:NAME, quality:CHECK[:COL]
  direction        TEXT CHECK (direction IN ('above','below')),  -- NULL: from the deciding test (drift:COL)
  warn             REAL NOT NULL,
  alert            REAL NOT NULL,
  time_window      TEXT CHECK (time_window IN ('1h','1d','1w')),
  timestamp_column TEXT,
  reference        TEXT,                   -- reference data file (absolute path), or NULL: given at run time
  columns          JSON,                   -- the columns the drift run compares, or NULL: all
  route            TEXT,                   -- http(s) URL or absolute file path, or NULL: stored only
  label_column     TEXT,                   -- metric signals
  score_column     TEXT,
  score_threshold  REAL,                   -- metric signals: predicted positive when score >= it
  open_findings    BOOLEAN NOT NULL DEFAULT 1,  -- an alert on a tier 1 model opens a finding
  status           TEXT NOT NULL CHECK (status IN ('active','disabled')),
  created_by       TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  disabled_by      TEXT,
  disabled_at      TEXT,
  disable_reason   TEXT
);
CREATE INDEX monitors_model ON monitors(model_id, status);

-- One evaluation of one monitor on one window of one run.
CREATE TABLE monitor_results (
  id           INTEGER PRIMARY KEY,
  monitor_id   INTEGER NOT NULL REFERENCES monitors(id),
  model_id     TEXT NOT NULL REFERENCES models(id),
  run          INTEGER NOT NULL,           -- the run number (one `mrm monitor run`)
  window_start TEXT,                       -- NULL: the whole data file
  window_end   TEXT,
  data_path    TEXT,
  data_sha256  TEXT,
  value        REAL,                       -- NULL when level is 'error'
  level        TEXT NOT NULL CHECK (level IN ('ok','warn','alert','error')),
  details      JSON NOT NULL DEFAULT '{}',
  created_at   TEXT NOT NULL
);
CREATE INDEX monitor_results_monitor ON monitor_results(monitor_id, id);
CREATE INDEX monitor_results_run ON monitor_results(run);

-- A result at warn or alert level, and what became of it.
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY,
  monitor_id  INTEGER NOT NULL REFERENCES monitors(id),
  result_id   INTEGER NOT NULL REFERENCES monitor_results(id),
  model_id    TEXT NOT NULL REFERENCES models(id),
  level       TEXT NOT NULL CHECK (level IN ('warn','alert')),
  signal      TEXT NOT NULL,
  value       REAL NOT NULL,
  threshold   REAL NOT NULL,              -- the threshold crossed
  status      TEXT NOT NULL CHECK (status IN ('open','resolved')),
  resolution  TEXT CHECK (resolution IN ('actioned','false-positive')),
  resolved_by TEXT,
  resolved_at TEXT,
  note        TEXT,
  finding_id  INTEGER REFERENCES findings(id),
  created_at  TEXT NOT NULL
);
CREATE INDEX alerts_model ON alerts(model_id, status);
CREATE INDEX alerts_monitor ON alerts(monitor_id, status, level);

-- The outbox: one delivery of an alert to its monitor's route. An undelivered
-- row stays 'pending' and is retried by every later `mrm monitor run` and by
-- `mrm alert deliver`; no alert is dropped.
CREATE TABLE alert_deliveries (
  id           INTEGER PRIMARY KEY,
  alert_id     INTEGER NOT NULL REFERENCES alerts(id),
  route        TEXT NOT NULL,
  payload      TEXT NOT NULL,             -- the exact JSON bytes sent, fixed when the alert is raised
  status       TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  last_attempt TEXT,
  next_attempt TEXT,
  delivered_at TEXT,
  created_at   TEXT NOT NULL
);
CREATE INDEX alert_deliveries_status ON alert_deliveries(status, id);
