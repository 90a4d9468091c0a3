"""English numbers (1,234,567 and 99.4%) but the dates of the country the system serves.

An English-reading clerk still works with Vietnamese documents, dated dd/mm/yyyy on paper and in
every register; an m/d/Y date on the English page would read 05/11 as the 11th of May.
"""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
FIRST_DAY_OF_WEEK = 1
