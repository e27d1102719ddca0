-- The names of workers who may be revoked or deregistered are read again
-- after every change the indexer applies (web::AppState::barred_names);
-- without an index each read scanned every worker (69,075 in the nation's
-- demo, ≈ 28 ms), and searches by name waited for it.
CREATE INDEX workers_status ON workers (status);
