"""Server-rendered web workspace (Jinja2 + HTMX, assets vendored under static/)."""
