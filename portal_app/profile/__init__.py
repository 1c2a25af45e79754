"""The person's profile: details every child app uses, and whether they are complete.

service.py is the API the shell and the child apps call (no Reflex); ui/ holds /profile and the
home banner.
"""
