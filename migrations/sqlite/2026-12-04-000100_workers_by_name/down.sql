DROP INDEX workers_name;
