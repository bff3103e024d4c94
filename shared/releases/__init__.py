"""Releases: publishing a store's working copy to its live database, and rolling back."""

from shared.releases.errors import ReleaseError, ReleaseErrorCode
from shared.releases.service import (Release, list_releases, live_release, publish, release_snapshot, rollback,
                                     snapshot)

__all__ = ["Release", "ReleaseError", "ReleaseErrorCode", "list_releases", "live_release", "publish",
           "release_snapshot", "rollback", "snapshot"]
