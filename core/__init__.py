"""The bottom layer: plain definitions every app may import (no models, no other app)."""
