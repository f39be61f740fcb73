"""Limits that settings and the code that enforces them share, in a module that imports nothing
heavy (settings are read by every process, the light ones too)."""

MAX_PIXELS = 50_000_000  # image.max_pixels: larger images (decompression bombs among them) are refused unread
