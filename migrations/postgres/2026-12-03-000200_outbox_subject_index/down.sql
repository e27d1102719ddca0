DROP INDEX search_outbox_subject;
