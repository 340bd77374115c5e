# "Sunday 20 December 2026 at 11:00"
DATE_FORMAT = "l j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l j F Y \\a\\t H:i"
