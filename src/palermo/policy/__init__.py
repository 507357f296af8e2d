"""The single place that answers "may this principal do this, and what may it see?"."""
