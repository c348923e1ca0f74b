"""The maintenance copilot's knowledge: the robot's documents, indexed on the robot.

:mod:`documents` cuts manuals (Markdown, text, PDF) into citable passages, :mod:`index` keeps
them in an SQLite full-text index ranked by BM25, :mod:`config` reads ``copilot.yaml``.
"""
