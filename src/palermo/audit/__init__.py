"""The tamper-evident audit log: every operation on intelligence and every decision about it."""
