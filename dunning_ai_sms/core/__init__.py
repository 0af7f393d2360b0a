"""Pure-Python helpers of the SMS channel (no ORM): segment counting, opt-out keywords,
GSM-7 friendly formatting on top of ``dunning_ai.core`` (Babel, time windows) and the
providers' webhook signatures."""
