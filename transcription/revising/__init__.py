"""Correcting transcripts with the ORM: revisions (save, revert, merge speakers), reviews and accuracy,
key terms. The pure cores they use live in `transcription.editing`.
"""
