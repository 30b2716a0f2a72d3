"""Writing a report: starting it, its sections, versions and restore, the details page, and
sending it for the local area's sign-off."""
