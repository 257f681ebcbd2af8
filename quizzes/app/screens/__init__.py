"""The app's screens, one module per screen; `base` holds what they share and `messages` what they ask the app.

Nothing is imported here: the first screen (`dashboard`) loads without the others, which need the quiz models.
A screen shows what it is given (constructor arguments, attributes the app sets) and posts a message from
`messages` for what the learner asks; it never calls into the app (tests/test_app_structure.py checks).
"""
