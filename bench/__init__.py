"""Performance work (issue 9): the benchmark (`run.py`) and the framework's floor it measures against."""
