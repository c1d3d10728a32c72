"""The nndl-gui engine: pure NumPy, never imports Qt."""
