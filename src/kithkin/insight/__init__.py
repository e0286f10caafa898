"""What the data means: strength, timelines, relationships, discovery, meeting prep (reads the store)."""
