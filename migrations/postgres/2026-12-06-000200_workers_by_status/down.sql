DROP INDEX workers_status;
