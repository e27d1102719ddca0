-- A search that reads as a person's name asks for the workers of exactly
-- that name (web::impersonation); without an index each such search read
-- every worker (84,323 subjects in the nation's demo).
CREATE INDEX workers_name ON workers (name);
