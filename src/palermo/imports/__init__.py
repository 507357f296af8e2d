"""Imports as background jobs — FtM JSON lines into records, a published watch list, an FIU's
bulk transactions — uploaded from the workspace or `/api/imports`, followed on the jobs page,
all or nothing (`service`)."""
