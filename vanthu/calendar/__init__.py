"""The working-day calendar: `workdays.add_working_days`, `working_days_between`, `is_working_day`,
with Vietnamese holidays from the lunar calendar reckoned at UTC+7 (lunar.py, defaults.py) as data
the installation's administrators edit per year (/calendar/)."""
