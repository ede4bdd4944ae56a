"""The dunning decision logic: pure functions over plain values, no database.

`decide` says what one invoice needs on a date; `group` turns the day's
decisions into one message per customer and action. The services in
`dunning.services` load the facts, call these, and persist the result.
"""
