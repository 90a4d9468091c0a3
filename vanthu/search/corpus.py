"""A synthetic corpus of Vietnamese administrative documents for the search benchmark.

Deterministic for a given scale: document i is issued on a day spread over `YEARS` years in id
order (so id order is date order, as in a live installation), by one of `ORGS` organisations,
to 1–4 others, with a subject of ~12 words and a body of ~150 words drawn Zipf-like.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import date, timedelta

from .engine import IndexRow, day_of
from .fold import fold
from .vocab import FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, POSITIONS, words

ORGS = 120
YEARS = 6
START = date(2020, 1, 1)
TYPES = [("CV", "Công văn", 30), ("BC", "Báo cáo", 14), ("KH", "Kế hoạch", 12), ("TB", "Thông báo", 12),
         ("QĐ", "Quyết định", 8), ("HD", "Hướng dẫn", 5), ("NQ", "Nghị quyết", 4), ("CTr", "Chương trình", 4),
         ("TTr", "Tờ trình", 3), ("BB", "Biên bản", 3), ("CT", "Chỉ thị", 1), ("KL", "Kết luận", 2),
         ("QC", "Quy chế", 1), ("QĐi", "Quy định", 1)]
URGENCIES = [("thuong", 85), ("khan", 10), ("thuong_khan", 4), ("hoa_toc", 1)]
ORG_KINDS = ["Đảng bộ Sở", "Đảng bộ Ban", "Chi bộ", "Đảng bộ Trường", "Đảng bộ Bệnh viện", "Đảng bộ Công ty"]
ORG_PLACES = ["Tài chính", "Xây dựng", "Y tế", "Giáo dục và Đào tạo", "Nội vụ", "Tư pháp", "Công thương",
              "Giao thông vận tải", "Tài nguyên và Môi trường", "Kế hoạch và Đầu tư", "Văn hóa và Thể thao",
              "Du lịch", "Khoa học và Công nghệ", "Thông tin và Truyền thông", "Nông nghiệp", "Quy hoạch Kiến trúc",
              "Ngoại vụ", "Lao động Thương binh và Xã hội", "Dân tộc", "Thanh tra"]


def org_names() -> list[tuple[str, str]]:
    out = [("Đảng ủy Khối các cơ quan Thành phố Hà Nội", "ĐUK")]
    for i in range(1, ORGS):
        out.append((f"{ORG_KINDS[i % len(ORG_KINDS)]} {ORG_PLACES[i % len(ORG_PLACES)]} số {i}", "ĐU"))
    return out


class Corpus:
    def __init__(self, scale: int, seed: int = 5):
        self.scale = scale
        self.seed = seed
        self.words = words()
        weights = [1.0 / (r + 2.5) for r in range(len(self.words))]
        self.cum = list(itertools.accumulate(weights))
        self.orgs = org_names()
        org_w = [1.0 / (r + 3) ** 0.7 for r in range(ORGS)]
        self.org_cum = list(itertools.accumulate(org_w))
        self.type_cum = list(itertools.accumulate(t[2] for t in TYPES))
        self.urg_cum = list(itertools.accumulate(u[1] for u in URGENCIES))
        self.days = YEARS * 365

    def rows(self, start: int = 0, end: int | None = None) -> Iterator[IndexRow]:
        """Documents start+1 … end (ids), reproducible for the same (start, end)."""
        rng = random.Random(f"{self.seed}:{self.scale}:{start}")
        counters: dict[tuple[int, str], int] = {}
        choices = rng.choices
        orgs = range(ORGS)
        for i in range(start, self.scale if end is None else min(end, self.scale)):
            doc_id = i + 1
            d = START + timedelta(days=i * self.days // self.scale)
            issuer = choices(orgs, cum_weights=self.org_cum)[0]
            recipients = {r for r in choices(orgs, cum_weights=self.org_cum, k=rng.randint(1, 4)) if r != issuer}
            if not recipients:
                recipients = {(issuer + 1) % ORGS}
            code, type_name, _w = choices(TYPES, cum_weights=self.type_cum)[0]
            urgency = choices(URGENCIES, cum_weights=self.urg_cum)[0][0]
            n = counters[(issuer, code)] = counters.get((issuer, code), 0) + 1
            name, short = self.orgs[issuer]
            subject = "Về việc " + " ".join(choices(self.words, cum_weights=self.cum, k=rng.randint(9, 13)))
            body = " ".join(choices(self.words, cum_weights=self.cum, k=rng.randint(120, 160)))
            signer = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
            title = " \n".join([f"{n}-{code}/{short}", type_name, subject])
            parties = " \n".join([name, f"{rng.choice(POSITIONS)} {signer}", d.strftime("%d/%m/%Y")]) + "\n\n" + \
                " ; ".join(self.orgs[r][0] for r in sorted(recipients))
            yield IndexRow(id=doc_id, day=day_of(d), issuer_id=issuer + 1, recipient_ids=[r + 1 for r in recipients],
                           doc_type=code, status="issued", urgency=urgency, title=title, body=body, parties=parties)

    def queries(self, kind: str, n: int, seed: int = 11) -> list[str]:
        """Queries typed without diacritics: one word, two words, or a quoted phrase."""
        rng = random.Random(f"{seed}:{kind}")
        content = self.words[50:]  # skip the grammatical words nobody searches for
        singles = sorted({s for w in content for s in fold(w).split() if len(s) > 1})
        multi = [fold(w) for w in content if len(w.split()) >= 2]
        out = []
        for _ in range(n):
            if kind == "one":
                out.append(rng.choice(singles))
            elif kind == "two":
                out.append(rng.choice(multi) if rng.random() < 0.5 else f"{rng.choice(singles)} {rng.choice(singles)}")
            else:
                words_ = rng.choice(multi).split()
                out.append('"' + " ".join(words_[:3]) + '"')
        return out
