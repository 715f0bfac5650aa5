"""Validation of what people type: NIK, No. KK, phone numbers, dates, names, free text."""

from __future__ import annotations

import datetime as dt

import pytest

from psm_tui.core.errors import ValidationError
from psm_tui.core.validation import (
    parse_date,
    parse_nik,
    safe_display,
    validate_birth_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_phone,
    validate_rt_rw,
    validate_sex,
    validate_text,
)

TODAY = dt.date(2026, 6, 1)


def test_nik_of_a_man_gives_region_birth_date_and_sex() -> None:
    info = parse_nik("3671051501800001", TODAY)
    assert (info.province, info.regency, info.district) == ("36", "3671", "367105")
    assert info.birth_date == dt.date(1980, 1, 15)
    assert info.sex == "L"


def test_nik_of_a_woman_has_day_plus_40() -> None:
    info = parse_nik("3671055501800001", TODAY)
    assert info.birth_date == dt.date(1980, 1, 15)
    assert info.sex == "P"


def test_nik_two_digit_year_prefers_the_latest_past_century() -> None:
    assert parse_nik("3671051501200001", TODAY).birth_date == dt.date(2020, 1, 15)
    # 2027 has not happened yet on TODAY: the person was born in 1927.
    assert parse_nik("3671051501270001", TODAY).birth_date == dt.date(1927, 1, 15)


def test_nik_accepts_spaces_dots_and_dashes() -> None:
    assert parse_nik("36.71.05 150180-0001", TODAY).nik == "3671051501800001"


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("367105150180001", "must be 16 digits, got 15"),
        ("36710515018000012", "must be 16 digits, got 17"),
        ("3671O51501800001", "digits only"),
        ("0000000000000000", "all zeros"),
        ("9971051501800001", "unknown province code 99"),
        ("2071051501800001", "unknown province code 20"),
        ("3671053102990001", "impossible birth date (310299)"),
        ("3671051513800001", "impossible birth date (151380)"),
        ("3671050001800001", "impossible birth date"),
        ("3671053501800001", "impossible birth date"),  # day 35: neither a man's nor a woman's
        ("3671057201800001", "impossible birth date"),  # woman, day 32
        ("3671051501800000", "empty region or serial"),
        ("3600051501800001", "empty region or serial"),
        ("3.67101E+15", "scientific notation"),
        ("3,67101E+15", "digits only"),
    ],
)
def test_bad_niks_are_refused_with_the_reason(nik: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        parse_nik(nik, TODAY)
    assert e.value.field == "nik"


def test_nik_leap_day_must_exist_in_a_past_century() -> None:
    assert parse_nik("3671052902000001", TODAY).birth_date == dt.date(2000, 2, 29)
    with pytest.raises(ValidationError, match="impossible"):
        parse_nik("3671052902300001", TODAY)  # 2030 is future, 1930 is no leap year


def test_validate_nik_checks_sex_and_birth_date_given_with_it() -> None:
    assert validate_nik("3671055501800001", sex="P", birth_date=dt.date(1980, 1, 15))
    with pytest.raises(ValidationError, match="belongs to a woman, but sex L"):
        validate_nik("3671055501800001", sex="L")
    with pytest.raises(ValidationError, match="does not match birth date 1980-01-16"):
        validate_nik("3671055501800001", birth_date=dt.date(1980, 1, 16))
    assert validate_nik(None) is None
    assert validate_nik("   ") is None


def test_kk_rules() -> None:
    assert validate_kk("3671 0512 3456 0001") == "3671051234560001"
    assert validate_kk("") is None
    with pytest.raises(ValidationError, match=r"No. KK must be 16 digits, got 15") as e:
        validate_kk("367105123456000")
    assert e.value.field == "kk"
    with pytest.raises(ValidationError, match="unknown province"):
        validate_kk("9971051234560001")
    with pytest.raises(ValidationError, match="all zeros"):
        validate_kk("0000000000000000")
    with pytest.raises(ValidationError, match="scientific notation"):
        validate_kk("3.67105E+15")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+62 812-3456-7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("081234567890", "081234567890"),
        ("0812 3456 789", "08123456789"),
        ("(021) 555-1234", "0215551234"),
        ("+62 21 5551234", "0215551234"),
        ("81234567890", "081234567890"),
    ],
)
def test_phone_numbers_are_normalised_to_0(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw", ["0812", "08123456789012345", "abc", "0062812345678", "+1 555 1234567", "08123x5678"]
)
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as e:
        validate_phone(raw)
    assert e.value.field == "phone"


def test_empty_phone_is_none() -> None:
    assert validate_phone("  ") is None
    assert validate_phone(None) is None


def test_dates() -> None:
    assert parse_date("2026-01-31") == dt.date(2026, 1, 31)
    assert parse_date(" ") is None
    with pytest.raises(ValidationError, match="use YYYY-MM-DD"):
        parse_date("31/01/2026")
    with pytest.raises(ValidationError, match="use YYYY-MM-DD"):
        parse_date("2026-02-30")
    with pytest.raises(ValidationError, match="out of range"):
        validate_birth_date("1899-12-31")
    with pytest.raises(ValidationError, match="out of range"):
        validate_birth_date(dt.date.today() + dt.timedelta(days=1))


def test_names_are_tidied_and_bounded() -> None:
    assert validate_name("  Siti   Aminah ") == "Siti Aminah"
    assert validate_name("[bold]x[/]") == "[bold]x[/]"  # stored as typed, rendered literally
    with pytest.raises(ValidationError, match="at least two letters"):
        validate_name("1 2")
    with pytest.raises(ValidationError, match="longer than 120"):
        validate_name("a" * 121)
    with pytest.raises(ValidationError, match=r"^Name: the control character \\x1b is not"):
        validate_name("\x1b[31mred")


def test_free_text_is_kept_as_typed_but_bounded() -> None:
    assert validate_text(" [red]red[/] [/]\n\tx ", "text") == "[red]red[/] [/]\n\tx"
    with pytest.raises(ValidationError, match="Outcome must not be empty"):
        validate_text("  ", "outcome", required=True)
    with pytest.raises(ValidationError, match="longer than 10 characters"):
        validate_text("x" * 11, "text", limit=10)


def test_sex_and_rt_rw() -> None:
    assert validate_sex("p") == "P"
    assert validate_sex("") is None
    with pytest.raises(ValidationError, match="L or P"):
        validate_sex("X")
    assert validate_rt_rw("3", "RT") == "003"
    assert validate_rt_rw(None, "RT") == ""
    with pytest.raises(ValidationError, match="RW must be a number"):
        validate_rt_rw("1000", "RW")


def test_safe_display_makes_control_characters_visible() -> None:
    assert safe_display("\x1b[31mred\x07") == "\\x1b[31mred\\x07"
    assert safe_display("a\tb\nc") == "a\tb\nc"
    assert safe_display("root\u200b \u202eabc") == "root\\u200b \\u202eabc"
