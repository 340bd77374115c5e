"""Matching: explainable suggestions of mentors for each learner.

- ``data``: reads mentors and learners into numpy arrays (``values_list``, no
  model instances); the mentor side is cached per process, keyed on the
  mentor-data version (``mentors.data_version``) that the mentors services move.
- ``scoring``: one vectorised function per criterion, each in [0, 1].
- ``reasons``: the plain-language reasons, stored as codes and rendered in the
  viewer's language.
- ``refresh``: single-learner and full refreshes with exposure control.
"""
