"""Reference data: loaded once and idempotently; found by code, name or alias, with suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from psm_tui.core import reference
from psm_tui.core.errors import NotFoundError
from psm_tui.store.models import Category, Kecamatan, Kelurahan, Opd


def test_loading_twice_changes_nothing(initialised: Path) -> None:
    expected = {"kecamatan": 13, "kelurahan": 104, "categories": 26, "opd": 11}
    assert reference.load_reference_data() == expected
    assert reference.load_reference_data() == expected
    assert Kelurahan.select(Kelurahan.code).distinct().count() == 104
    assert Kecamatan.get_by_id("36.71.05").name == "Cipondoh"
    assert Category.get_by_id(24).name == "Fakir Miskin"
    assert Opd.get_by_id("DP3AP2KB").abbrev == "DP3AP2KB"


def test_every_kecamatan_has_its_kelurahan(initialised: Path) -> None:
    counts = {kec.code: 0 for kec in reference.all_kecamatan()}
    for kel in reference.all_kelurahan():
        assert kel.code.startswith(kel.kecamatan_code + ".")
        counts[kel.kecamatan_code] += 1
    assert sum(counts.values()) == 104 and min(counts.values()) >= 4


@pytest.mark.parametrize(
    "text",
    [
        "36.71.05.1008",
        "Poris Plawad",
        "PORIS PLAWAD",
        " poris  plawad ",
        "Kel. Poris Plawad",
        "Kelurahan Poris-Plawad",
        "porisplawad",
    ],
)
def test_find_kelurahan_by_code_or_any_spelling(initialised: Path, text: str) -> None:
    ref = reference.find_kelurahan(text)
    assert (ref.code, ref.label) == ("36.71.05.1008", "Kel. Poris Plawad, Kec. Cipondoh")


def test_find_kelurahan_by_alias(initialised: Path) -> None:
    assert reference.find_kelurahan("Sumur Pancing").name == "Sumur Pacing"
    assert reference.find_kelurahan("margasari").code == "36.71.07.1010"


def test_jatiuwung_the_kelurahan_is_in_kec_cibodas(initialised: Path) -> None:
    assert reference.find_kelurahan("Jatiuwung").label == "Kel. Jatiuwung, Kec. Cibodas"
    assert reference.find_kecamatan("Jatiuwung").code == "36.71.02"


def test_unknown_kelurahan_suggests_the_closest(initialised: Path) -> None:
    with pytest.raises(NotFoundError) as e:
        reference.find_kelurahan("Poris Plawat")
    message = str(e.value)
    assert message.startswith("Unknown kelurahan Poris Plawat. Did you mean: ")
    assert message.index("Kel. Poris Plawad, Kec. Cipondoh") < message.index("Utara")
    with pytest.raises(NotFoundError, match=r"^Unknown kelurahan Xyzzy$"):
        reference.find_kelurahan("Xyzzy")


def test_kecamatan_narrows_the_kelurahan(initialised: Path) -> None:
    assert reference.find_kelurahan("Kreo", "Larangan").code == "36.71.13.1004"
    with pytest.raises(NotFoundError, match=r"Kel. Kreo, Kec. Larangan is not in Kec. Pinang"):
        reference.find_kelurahan("Kreo", "Pinang")
    with pytest.raises(NotFoundError, match=r"is not in Kec. Pinang"):
        reference.find_kelurahan("36.71.13.1004", "Pinang")
    with pytest.raises(NotFoundError, match="Unknown kelurahan code 99"):
        reference.kelurahan_by_code("99")


def test_find_kecamatan(initialised: Path) -> None:
    assert reference.find_kecamatan("karang tengah").code == "36.71.12"
    assert reference.find_kecamatan("Kec. Cipondoh").code == "36.71.05"
    with pytest.raises(NotFoundError, match=r"Unknown kecamatan Cipondo. Did you mean: Cipondoh"):
        reference.find_kecamatan("Cipondo")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("8", "8"),
        (24, "24"),
        ("08", "8"),
        ("Lanjut Usia Terlantar", "8"),
        ("fakir miskin", "24"),
        ("ABT", "1"),
        ("lansia", "8"),
        ("Wanita Rawan Sosial Ekonomi", "23"),
        ("ODHA", "16"),
        ("penyandang cacat", "9"),
    ],
)
def test_find_category_by_number_name_abbreviation_or_legacy_name(
    initialised: Path, text: str | int, code: str
) -> None:
    assert reference.find_category(text).code == code


def test_unknown_category_suggests(initialised: Path) -> None:
    with pytest.raises(
        NotFoundError, match=r"Unknown PPKS category Fakir Miskinn. Did you mean: 24"
    ):
        reference.find_category("Fakir Miskinn")
    with pytest.raises(NotFoundError, match="Unknown PPKS category 27"):
        reference.find_category("27")


def test_find_opd_by_code_or_abbreviation(initialised: Path) -> None:
    assert reference.find_opd("dinkes").code == "DINKES"
    assert reference.find_opd("Satpol PP").code == "SATPOLPP"
    assert reference.find_opd("BPJS Kesehatan").code == "BPJSKES"
    with pytest.raises(NotFoundError, match=r"Unknown OPD KEMENSOS. Known: BAZNAS, BPBD"):
        reference.find_opd("KEMENSOS")


def test_fold() -> None:
    assert reference.fold("Kel. Sumur-Pacing") == "sumurpacing"
    assert reference.fold("Kelapa Indah") == "kelapaindah"
