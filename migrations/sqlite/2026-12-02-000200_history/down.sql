DROP TABLE record_confirmations;
DROP TABLE record_history;
