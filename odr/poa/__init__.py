"""The Plan of Action workbench (design §12): Amazon's letter read into demands (`notice`)."""

from odr.poa.notice import Demand, Notice, NoticeError, parse_notice, read_notice

__all__ = ["Demand", "Notice", "NoticeError", "parse_notice", "read_notice"]
