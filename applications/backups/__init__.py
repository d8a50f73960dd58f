"""Backups that restore: the database and the private files in one encrypted archive (see the README, Backups)."""
