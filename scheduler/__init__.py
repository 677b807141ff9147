"""Scheduler: the in-process runner of the embedded default (Celery app for scale-out)."""

from scheduler.inprocess import due_partners, run_forever, tick

__all__ = ["due_partners", "run_forever", "tick"]
