"""The Vietnamese lunisolar calendar, reckoned at UTC+7 from the Sun's and the Moon's positions.

The rules (the same as the Chinese calendar's, applied at Vietnam's meridian, which is why the
two differ in some years — Tết 1985, 2007, 2030):
- a month begins on the civil day (UTC+7) of a new moon;
- month 11 is the month that contains the winter solstice (the Sun at 270°);
- a year from one month 11 to the next with 13 months has a leap month: the first month after
  month 11 during which the Sun enters no new 30° sign (no "major solar term") — it takes the
  number of the month before it.

The new moons are computed with the series of J. Meeus, *Astronomical Algorithms* (2nd ed.),
ch. 49 (accurate to a minute or so), the Sun's apparent longitude with ch. 25's low-precision
formulae (about 0.01°), and Dynamical Time is turned into Universal Time with the polynomial
ΔT of Espenak and Meeus. Days are Julian Day Numbers (JDN) of civil days at UTC+7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

TZ_HOURS = 7.0
SYNODIC_MONTH = 29.530588861
NEW_MOON_EPOCH = 2451550.09766  # Meeus: the mean new moon of 6 January 2000 (k = 0), in TT
JDN_OFFSET = 1721425  # date.toordinal() + JDN_OFFSET is the Julian Day Number of that date


def jdn(d: date) -> int:
    return d.toordinal() + JDN_OFFSET


def from_jdn(n: int) -> date:
    return date.fromordinal(n - JDN_OFFSET)


def _sin(deg: float) -> float:
    return math.sin(math.radians(deg))


def delta_t_seconds(year: float) -> float:
    """TT − UT in seconds (Espenak & Meeus' polynomial expressions, 1860 onward)."""
    y = year
    if y < 1900:
        t = y - 1860
        return 7.62 + 0.5737 * t - 0.251754 * t**2 + 0.01680668 * t**3 - 0.0004473624 * t**4 + t**5 / 233174
    if y < 1920:
        t = y - 1900
        return -2.79 + 1.494119 * t - 0.0598939 * t**2 + 0.0061966 * t**3 - 0.000197 * t**4
    if y < 1941:
        t = y - 1920
        return 21.20 + 0.84493 * t - 0.076100 * t**2 + 0.0020936 * t**3
    if y < 1961:
        t = y - 1950
        return 29.07 + 0.407 * t - t**2 / 233 + t**3 / 2547
    if y < 1986:
        t = y - 1975
        return 45.45 + 1.067 * t - t**2 / 260 - t**3 / 718
    if y < 2005:
        t = y - 2000
        return 63.86 + 0.3345 * t - 0.060374 * t**2 + 0.0017275 * t**3 + 0.000651814 * t**4 + 0.00002373599 * t**5
    if y < 2050:
        t = y - 2000
        return 62.92 + 0.32217 * t + 0.005589 * t**2
    u = (y - 1820) / 100
    if y < 2150:
        return -20 + 32 * u * u - 0.5628 * (2150 - y)
    return -20 + 32 * u * u


# The periodic terms of the true new moon (Meeus table 49.A): (coefficient, power of E,
# multiples of M (Sun's anomaly), M' (Moon's anomaly), F (argument of latitude), Ω).
_NEW_MOON_TERMS = (
    (-0.40720, 0, 0, 1, 0, 0), (0.17241, 1, 1, 0, 0, 0), (0.01608, 0, 0, 2, 0, 0), (0.01039, 0, 0, 0, 2, 0),
    (0.00739, 1, -1, 1, 0, 0), (-0.00514, 1, 1, 1, 0, 0), (0.00208, 2, 2, 0, 0, 0), (-0.00111, 0, 0, 1, -2, 0),
    (-0.00057, 0, 0, 1, 2, 0), (0.00056, 1, 1, 2, 0, 0), (-0.00042, 0, 0, 3, 0, 0), (0.00042, 1, 1, 0, 2, 0),
    (0.00038, 1, 1, 0, -2, 0), (-0.00024, 1, -1, 2, 0, 0), (-0.00017, 0, 0, 0, 0, 1), (-0.00007, 0, 2, 1, 0, 0),
    (0.00004, 0, 0, 2, -2, 0), (0.00004, 0, 3, 0, 0, 0), (0.00003, 0, 1, 1, -2, 0), (0.00003, 0, 0, 2, 2, 0),
    (-0.00003, 0, 1, 1, 2, 0), (0.00003, 0, -1, 1, 2, 0), (-0.00002, 0, -1, 1, -2, 0), (-0.00002, 0, 1, 3, 0, 0),
    (0.00002, 0, 0, 4, 0, 0),
)
# The planetary arguments' corrections (Meeus, after table 49.A): (coefficient, A at k = 0, per k);
# the first, A1, also has a term in T² and is added on its own.
_PLANETARY = (
    (0.000165, 251.88, 0.016321), (0.000164, 251.83, 26.651886),
    (0.000126, 349.42, 36.412478), (0.000110, 84.66, 18.206239), (0.000062, 141.74, 53.303771),
    (0.000060, 207.14, 2.453732), (0.000056, 154.84, 7.306860), (0.000047, 34.52, 27.261239),
    (0.000042, 207.19, 0.121824), (0.000040, 291.34, 1.844379), (0.000037, 161.72, 24.198154),
    (0.000035, 239.56, 25.513099), (0.000023, 331.55, 3.592518),
)


def new_moon_jd(k: int) -> float:
    """The moment (Julian Date, UT) of the k-th new moon after that of 6 January 2000."""
    t = k / 1236.85
    jde = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.00015437 * t**2 - 0.000000150 * t**3 + 0.00000000073 * t**4
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = 2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3
    mp = 201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    f = 160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    om = 124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3
    for coef, e_pow, a, b, c, d in _NEW_MOON_TERMS:
        jde += coef * e**e_pow * _sin(a * m + b * mp + c * f + d * om)
    jde += 0.000325 * _sin(299.77 + 0.107408 * k - 0.009173 * t**2)
    for coef, a0, per_k in _PLANETARY:
        jde += coef * _sin(a0 + per_k * k)
    year = 2000 + k / 12.3685
    return jde - delta_t_seconds(year) / 86400


@lru_cache(maxsize=4096)
def new_moon_day(k: int) -> int:
    """The civil day (JDN at UTC+7) on which the k-th new moon falls: the first day of a month."""
    return math.floor(new_moon_jd(k) + 0.5 + TZ_HOURS / 24)


def sun_longitude(jd_ut: float) -> float:
    """The Sun's apparent ecliptic longitude in degrees [0, 360) at a moment (Julian Date, UT)."""
    year = 2000 + (jd_ut - 2451545.0) / 365.25
    t = (jd_ut + delta_t_seconds(year) / 86400 - 2451545.0) / 36525
    l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t**2
    m = 357.52911 + 35999.05029 * t - 0.0001537 * t**2
    c = ((1.914602 - 0.004817 * t - 0.000014 * t**2) * _sin(m) + (0.019993 - 0.000101 * t) * _sin(2 * m)
         + 0.000289 * _sin(3 * m))
    omega = 125.04 - 1934.136 * t
    return (l0 + c - 0.00569 - 0.00478 * _sin(omega)) % 360


@lru_cache(maxsize=4096)
def solar_sign(day: int) -> int:
    """Which 30° sign (0 = 0°–30° … 9 = 270°–300°) the Sun is in as civil day `day` begins."""
    return int(sun_longitude(day - 0.5 - TZ_HOURS / 24) // 30)


def _k_before(day: float) -> int:
    return math.floor((day - NEW_MOON_EPOCH) / SYNODIC_MONTH)


@lru_cache(maxsize=512)
def month_11_start(year: int) -> int:
    """The first day of the lunar month 11 that contains the winter solstice of Gregorian `year`."""
    k = _k_before(jdn(date(year, 12, 31)))
    start = new_moon_day(k)
    if start > jdn(date(year, 12, 31)):
        k -= 1
        start = new_moon_day(k)
    if solar_sign(start) >= 9:  # the solstice came before this month began: month 11 is the one before
        start = new_moon_day(k - 1)
    return start


def _k_of(day: int) -> int:
    """The k of the new moon that begins on `day`."""
    return round((day - NEW_MOON_EPOCH) / SYNODIC_MONTH)


@lru_cache(maxsize=512)
def leap_offset(a11: int) -> int | None:
    """In the lunar year from month 11 beginning on `a11` to the next month 11: the offset
    (months after a11) of the leap month, or None if the year has twelve months."""
    k = _k_of(a11)
    if new_moon_day(k + 12) >= month_11_start(from_jdn(a11).year + 1):
        return None  # twelve months
    for i in range(1, 13):
        if solar_sign(new_moon_day(k + i)) == solar_sign(new_moon_day(k + i + 1)):
            return i
    return None


@dataclass(frozen=True)
class LunarDate:
    year: int  # the lunar year, named by the Gregorian year in which it (mostly) falls
    month: int  # 1–12
    day: int  # 1–30
    leap: bool = False


def to_lunar(d: date) -> LunarDate:
    """The lunar date of a Gregorian date, in Vietnam."""
    day = jdn(d)
    k = _k_before(day + 1)
    start = new_moon_day(k + 1)
    if start > day:
        start = new_moon_day(k)
    if start > day:
        start = new_moon_day(k - 1)
    a11 = month_11_start(d.year)
    if a11 > start:  # the month began before this year's month 11: the year runs from last year's
        a11, lunar_year = month_11_start(d.year - 1), d.year
    else:
        lunar_year = d.year + 1
    offset = _k_of(start) - _k_of(a11)
    leap = leap_offset(a11)
    is_leap = False
    if leap is not None and offset >= leap:
        is_leap = offset == leap
        offset -= 1
    month = (offset + 10) % 12 + 1  # offset 0 is month 11
    if month >= 11 and offset < 2:
        lunar_year -= 1
    return LunarDate(lunar_year, month, day - start + 1, is_leap)


def month_start_before(day: int) -> int:
    """The first day of the month before the one that begins on `day`."""
    return new_moon_day(_k_of(day) - 1)


def to_solar(year: int, month: int, day: int, *, leap: bool = False) -> date:
    """The Gregorian date of a lunar date (lunar year `year`); raises ValueError if it does not exist."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError("no such lunar date")
    a11 = month_11_start(year - 1) if month < 11 else month_11_start(year)
    offset = (month - 11) % 12
    leap_at = leap_offset(a11)
    if leap:
        if leap_at is None or leap_at - 1 != offset:
            raise ValueError("that month is not a leap month this year")
        offset += 1
    elif leap_at is not None and offset >= leap_at:
        offset += 1
    k = _k_of(a11) + offset
    start, next_start = new_moon_day(k), new_moon_day(k + 1)
    if start + day - 1 >= next_start:
        raise ValueError("that month has 29 days")
    return from_jdn(start + day - 1)


def tet(year: int) -> date:
    """The first day of the lunar year (Tết Nguyên đán) in Gregorian `year`."""
    return to_solar(year, 1, 1)
