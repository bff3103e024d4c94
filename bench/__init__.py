"""`make bench`: speed figures printed as ratios against a peer measured in the same run."""
