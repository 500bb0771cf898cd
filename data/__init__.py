"""The only code that talks to the database: engine, models, migrations, queries, seed."""
