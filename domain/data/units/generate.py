#!/usr/bin/env python3
"""Writes Vietnam's administrative units, before and after 1/7/2025, from the MIT-licensed
PyPI package `vietnamadminunits` (its wheel ships `data/dataset.db` and
`data/converter_2025.json`), as two compact files beside this script:

  vietnam.tsv     every unit: id, level, official code, name, parent id, valid from, valid to
  successors.tsv  each unit before 1/7/2025 → the unit(s) after it: whole, or a part of a split

A maintainer reruns it for a new release of the package (README.md here):

  pip download vietnamadminunits==1.0.4 --no-deps -d /tmp/vau
  python3 domain/data/units/generate.py /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl

Ids are the units' own: a hash of the unit's era and its place in its tree by name keys,
never the official code (codes are reused: the new Phường Đức Xuân has the old one's
01840). Names are NFC, level words in lower case after the first ("Thành phố", not
"Thành Phố")."""
import base64
import hashlib
import json
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

VERSION = "vietnamadminunits 1.0.4"
MERGED = "2025-07-01"
BEFORE = "2025-06-30"
# The words that begin a unit's name, as Vietnamese writes them.
LEVEL_WORDS = ("Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Xã", "Thị trấn", "Đặc khu", "Phường")
HERE = Path(__file__).parent


def unit_id(*keys: str) -> str:
    """`u-` and 12 letters of base32 of SHA-256 over the era and the name keys."""
    digest = hashlib.sha256("/".join(keys).encode()).digest()
    return "u-" + base64.b32encode(digest).decode().lower()[:12]


def tidy(name: str) -> str:
    """NFC, one space, and the level word as Vietnamese writes it ("Thành phố")."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    for word in LEVEL_WORDS:
        if name.lower().startswith(word.lower() + " "):
            return word + name[len(word):]
    return name


def commune_level(name: str) -> str:
    """A commune's level: "ward" for a phường; xã, thị trấn and đặc khu are communes."""
    return "ward" if name.startswith("Phường ") else "commune"


def main(wheel: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as z:
        z.extract("vietnamadminunits/data/dataset.db", tmp)
        converter = json.loads(z.read("vietnamadminunits/data/converter_2025.json"))
        db = sqlite3.connect(Path(tmp, "vietnamadminunits/data/dataset.db"))
        rows, seen = [], {}

        def add(uid, level, code, name, parent, valid_from, valid_to):
            row = (uid, level, code or "", tidy(name), parent or "", valid_from, valid_to)
            if uid in seen:
                # A province or district repeats on each of its communes' lines: the same unit.
                assert seen[uid] == row, f"two units with the id {uid}: {seen[uid]} and {row}"
                return
            seen[uid] = row
            rows.append(row)

        legacy = {}
        for (province, district, ward, district_type, ward_type, pcode, dcode, wcode, pkey, dkey, wkey) in db.execute(
                "select province, district, ward, districtType, wardType, provinceCode, districtCode, wardCode, "
                "provinceKey, districtKey, wardKey from admin_units_legacy order by provinceCode, districtCode, wardCode"):
            p = unit_id("2008", pkey)
            d = unit_id("2008", pkey, dkey)
            add(p, "province", pcode, province, None, "", BEFORE)
            add(d, "district", dcode, district, p, "", BEFORE)
            if ward:
                w = unit_id("2008", pkey, dkey, wkey)
                add(w, commune_level(tidy(ward)), wcode, ward, d, "", BEFORE)
                legacy[f"{pkey}_{dkey}_{wkey}"] = w
            legacy[pkey] = p
        current = {}
        for (province, ward, pcode, wcode, pkey, wkey) in db.execute(
                "select province, ward, provinceCode, wardCode, provinceKey, wardKey from admin_units "
                "order by provinceCode, wardCode"):
            p = unit_id("2025", pkey)
            w = unit_id("2025", pkey, wkey)
            add(p, "province", pcode, province, None, MERGED, "")
            add(w, commune_level(tidy(ward)), wcode, ward, p, MERGED, "")
            current[pkey] = p
            current[f"{pkey}_{wkey}"] = w

    successors, unknown = [], []
    for new, olds in converter["DICT_PROVINCE"].items():
        successors += [(legacy[old], current[new], "whole") for old in olds]
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            successors += [(legacy[old], current[f"{pkey}_{wkey}"], "whole") for old in olds if old in legacy]
            unknown += [old for old in olds if old not in legacy]
    for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, news in olds.items():
            if old in legacy:
                successors += [(legacy[old], current[f"{pkey}_{n['newWardKey']}"],
                                "part-default" if n["isDefaultNewWard"] else "part") for n in news]
            else:
                unknown.append(old)
    # The converter's keys for units the legacy table does not list are left out, said here.
    if unknown:
        print(f"{len(unknown)} keys of the converter not in the legacy table, left out: {unknown[:5]}")

    head = f"# Vietnam's administrative units from {VERSION} (MIT, README.md), by generate.py: do not edit.\n"
    with open(HERE / "vietnam.tsv", "w", encoding="utf-8") as f:
        f.write(head + "id\tlevel\tcode\tname\tparent\tvalid_from\tvalid_to\n")
        f.writelines("\t".join(r) + "\n" for r in rows)
    with open(HERE / "successors.tsv", "w", encoding="utf-8") as f:
        f.write(head + "from\tto\tshare\n")
        f.writelines("\t".join(s) + "\n" for s in sorted(set(successors)))
    levels = {}
    for r in rows:
        key = (r[1], "before" if r[6] else "after")
        levels[key] = levels.get(key, 0) + 1
    print(f"{len(rows)} units {sorted(levels.items())}, {len(set(successors))} successions")


if __name__ == "__main__":
    main(sys.argv[1])
