"""The only code that speaks SQL. Every function takes an open connection from `db.connect`."""
