# "dimanche 20 décembre 2026 à 11 h 00"
DATE_FORMAT = "l j F Y"
TIME_FORMAT = "G \\h i"
DATETIME_FORMAT = "l j F Y à G \\h i"
