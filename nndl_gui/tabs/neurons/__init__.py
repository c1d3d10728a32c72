"""The Neurons tab: chapters 1, 3 and 5's small experiments (tab.py), one module per view."""
