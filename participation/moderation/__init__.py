"""Moderation: the animators' queue, reports, log, settings and categories of a centre."""
