"""Automatic tagging of reflections: the codebook (`codebook`), the tagger (`tagger`), its
evaluation (`evaluate`) and the `reflectbot tag` command (`cli`)."""
