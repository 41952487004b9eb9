"""Pure cores for correcting transcripts: aligning edited text to timed words, and word error rate.

Plain data in, plain data out (words as AssemblyAI gives them); no ORM, no HTTP.
"""
