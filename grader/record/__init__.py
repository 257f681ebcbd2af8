"""The learner's record: the progress file, the workspace's exercise files, and the hand-in archive.

What the learner's commands, the app and the teacher's intake read and write; pydantic at every file.
"""
