"""One tester module per migration, `migration_<revision>.py`, run by test_migrations.py.

Each module has two classes, after SecureDrop's migration testers:

- `UpgradeTester(connection)`: `load_data()` inserts rows at the revision before this one,
  `check()` runs after the upgrade and asserts that every row survived with its values (and the
  defaults of added columns);
- `DowngradeTester(connection)`: `load_data()` inserts rows at this revision, `check()` runs after
  the downgrade and asserts the same for what the older schema keeps, and that dropped tables
  and columns are gone.

The rows of each schema level are in `rows.py`; a new revision adds its level there (or inline).
"""
