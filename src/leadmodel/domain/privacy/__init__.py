"""Privacy: erasing a person's data from the records that hold it."""

from leadmodel.domain.privacy.erasure import ERASED_COMPANY_NAME, erase, is_personal_company_name

__all__ = ["ERASED_COMPANY_NAME", "erase", "is_personal_company_name"]
