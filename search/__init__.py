"""Full-text search of transcripts: the query syntax, the index per database, snippets and moments."""
