"""Committee: consolidated and calibrated scores, and the laureate allocation (pure computations)."""
