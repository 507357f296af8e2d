"""Backups of a node (`palermo backup` / `palermo restore`): see `service`."""
