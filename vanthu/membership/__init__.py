"""Party organisations' records, party members, transfers between organisations, annual rankings.

Personal data (political affiliation is sensitive data under Vietnam's personal data protection
rules): only records officers (`RecordsOfficer`) see members, every look is audited, and an
installation may switch member records off entirely (`VANTHU_MEMBER_RECORDS`).
"""
