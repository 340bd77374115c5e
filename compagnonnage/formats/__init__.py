"""Dates and times in one format per language (``FORMAT_MODULE_PATH``): the
weekday and the month in words, the year, a 24-hour clock. Templates use the
named formats (``date:"DATETIME_FORMAT"``), never a format string of their own."""
