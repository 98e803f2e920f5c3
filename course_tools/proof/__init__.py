"""Proof: the code that shows the pipeline grades as it should, and how fast (corpus, mutation score, demo classes,
benchmark).

It runs every stage on known submissions, so it may import anything of ours; nothing but tests/ imports it,
and the pipeline (author/, release/, grade/, report/) never needs it. Its data stays in corpus/.
"""
