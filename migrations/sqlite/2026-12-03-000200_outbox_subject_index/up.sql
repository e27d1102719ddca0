-- The indexer asks, for each subject it schedules, whether a refresh is
-- already due at that moment (search::outbox::schedule_refresh). Many
-- subjects share a due moment (a review deadline, a new year), so the
-- due_at index alone made each question scan that whole day's rows.
CREATE INDEX search_outbox_subject ON search_outbox (entity_kind, entity_key, due_at);
