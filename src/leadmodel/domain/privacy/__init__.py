"""Privacy: erasing a person's data from the records that hold it."""

from leadmodel.domain.privacy.erasure import erase

__all__ = ["erase"]
