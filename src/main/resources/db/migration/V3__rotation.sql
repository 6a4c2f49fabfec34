-- Placeholder in branch imp only: V3 belongs to rotation (R). The merge takes R's file.
CREATE TABLE imp_branch_placeholder_v3 (id TEXT NOT NULL PRIMARY KEY);
