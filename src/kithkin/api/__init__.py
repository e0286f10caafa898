"""The JSON API under /api/crm and the static web UI."""
