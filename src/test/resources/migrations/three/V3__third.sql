-- Relies on V2 having run first.
INSERT INTO second_table (id) VALUES ('from-v3');
