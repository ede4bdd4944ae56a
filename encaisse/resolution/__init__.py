"""Resolution: why a customer does not pay, and what is done about it (SPEC §6).

Disputes, promises to pay, instalment plans, due-date extensions, manual
holds, agency handovers and write-offs. Each object pauses or reshapes dunning
through the dunning app's holds (never a second blocking mechanism), has an
owner, writes the activity timeline and emits webhook events.
"""
