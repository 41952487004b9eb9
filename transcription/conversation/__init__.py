"""Pure cores for conversations: turns built from timed words, and talk statistics.

Plain data in, plain data out (words as AssemblyAI gives them); no ORM, no HTTP.
"""
