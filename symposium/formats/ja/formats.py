"""Japanese dates as the Ministry writes them: 2027年1月20日（水）9:30.

Django's own Japanese formats give no weekday; every date a delegate reads
carries one, so that the day cannot be mistaken.
"""

DATE_FORMAT = "Y年n月j日（D）"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "Y年n月j日（D）G:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
SHORT_DATE_FORMAT = "Y/m/d（D）"
SHORT_DATETIME_FORMAT = "Y/m/d（D）G:i"
