"""The transcription pipeline, one module per stage.

`create` stores a transcript and queues its submission; `submit` claims the row, uploads and
submits (retrying transient failures with backoff); AssemblyAI's webhook (`inbound`) or polling
queues a fetch (`fetch`), whose answer `apply` stores, statuses only moving forward. `orphans`
deletes jobs no row recorded; `sync` drives whatever a dead worker or a lost webhook left behind.
`direct` submits a file or URL at once, for the transcribe command and pages.
"""
