"""The learner's side: the context every command shares, reports drawn in the terminal, and `watch`."""
