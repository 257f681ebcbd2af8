"""Event names of the child -> parent result stream (JSON lines, each with the run's nonce)."""

EVENT_IMPORT_START = "import_start"
EVENT_IMPORT_DONE = "import_done"
EVENT_START = "start"
EVENT_RESULT = "result"
EVENT_DONE = "done"
