"""The benchmark harness: speed and memory figures printed, never asserted."""
