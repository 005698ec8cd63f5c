"""Participation figures back to the centre: dashboard, annual report, exports, API, webhook.

``service.py`` computes every figure (defined in docs/metrics.md); the other modules only
show it or hand it on. Blueprints:

* ``metrics`` (routes.py), ``/c/<slug>/manage/figures``: dashboard, annual report; and
  ``admin_figures``, ``/admin/figures``: every centre side by side for the platform admin.
* ``metrics_export`` (export_routes.py), ``/c/<slug>/manage/figures/export``: CSV, raw events.
* ``api_tokens`` (token_routes.py), ``/c/<slug>/manage/api-tokens``: tokens for the API.
* ``api`` (api.py), ``/api/v1``: the figures as JSON, read with a token.
* ``webhook`` (webhook_routes.py), ``/c/<slug>/manage/webhook``: daily push and its log.
"""
