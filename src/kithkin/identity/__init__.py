"""Identity resolution: normalise → block → score → decide."""
