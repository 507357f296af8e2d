"""The marker of strings translated where they are shown (navigation labels, role and
agency-kind titles): Babel extracts `N_("…")` into the catalogs; the web layer translates
the value when it renders it. Free of imports, so any module may mark its titles."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message
