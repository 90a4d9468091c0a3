"""Vietnamese conventions on top of Django's own `vi` format module (settings.FORMAT_MODULE_PATH).

Django's module has the separators right (1.234.567, 99,4) but no NUMBER_GROUPING, so a
grouped number came out as 1234567; and its dates are d-m-Y, where Vietnamese forms and
registers write dd/mm/yyyy.
"""

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = "."
DECIMAL_SEPARATOR = ","
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# What a date box accepts (vanthu.ui.forms.VnDateField uses the same list in every language).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
FIRST_DAY_OF_WEEK = 1
