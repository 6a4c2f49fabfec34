-- a comment; with a semicolon
CREATE TABLE first_table (id TEXT NOT NULL PRIMARY KEY);
