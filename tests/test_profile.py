"""Profiles: reading TOML, validating every field, merging flags, and the sample files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import InputError
from scanner.limits import MAX_PROFILE_BYTES
from scanner.models import Context, Location, Profile
from scanner.profile import (
    MAX_ITEMS,
    build_profile,
    lead_value,
    load_profile,
    merge_flags,
    read_profile_file,
)
from tests.support import ROOT

SAMPLES = ROOT / "sample_profiles"


def write(tmp_path: Path, text: str, name: str = "me.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(data: dict[str, Any]) -> str:
    """build_profile's one-line InputError message for `data`."""
    with pytest.raises(InputError) as caught:
        build_profile(data, origin="me.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("me.toml")
    return message


def file_problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert "\n" not in message
    assert "\r" not in message
    return message


# --- valid profiles -----------------------------------------------------------------------


def test_full_profile(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        names = ["Jordan Testwell"]
        aliases = ["JT", "Jordie"]
        handles = ["@jtestwell", "jt_gardens"]
        emails = ["Jordan.Testwell@Example.COM"]
        phones = ["(217) 555-0142", "+1 217 555 0199"]
        locations = ["Springfield, IL", "Chicago, IL, US"]
        country = "us"

        [context]
        known_to_abuser = ["jordan.testwell@example.com"]
        public_on_purpose = ["jordantestwell.example.com"]
        notes = "  moved in 2023  "
        """,
    )
    assert load_profile(path) == Profile(
        names=("Jordan Testwell",),
        aliases=("JT", "Jordie"),
        handles=("jtestwell", "jt_gardens"),
        emails=("jordan.testwell@example.com",),
        phones=("+12175550142", "+12175550199"),
        locations=(Location("Springfield", "IL"), Location("Chicago", "IL", "US")),
        country="US",
        context=Context(
            known_to_abuser=("jordan.testwell@example.com",),
            public_on_purpose=("jordantestwell.example.com",),
            notes="moved in 2023",
        ),
    )


def test_single_strings_are_accepted_for_list_fields() -> None:
    profile = build_profile(
        {"name": "Sam Placeholder", "handles": "samp", "emails": "sam@example.org",
         "phones": "020 7946 0958", "locations": "London", "country": "GB"}
    )  # fmt: skip
    assert profile.names == ("Sam Placeholder",)
    assert profile.handles == ("samp",)
    assert profile.emails == ("sam@example.org",)
    assert profile.phones == ("+442079460958",)
    assert profile.locations == (Location("London"),)
    assert profile.country == "GB"
    assert profile.context == Context()


def test_name_and_names_are_both_accepted() -> None:
    profile = build_profile({"name": "Jordan Testwell", "names": ["J. Testwell", "Jordan T"]})
    assert profile.names == ("Jordan Testwell", "J. Testwell", "Jordan T")
    assert profile.display_name == "Jordan Testwell"


@pytest.mark.parametrize(
    ("phone", "country", "e164"),
    [
        ("(217) 555-0142", "US", "+12175550142"),
        ("217.555.0142", "US", "+12175550142"),
        ("+1 217-555-0142", "GB", "+12175550142"),  # an explicit +1 wins over the region
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
    ],
)
def test_phones_are_normalised_to_e164(phone: str, country: str, e164: str) -> None:
    assert build_profile({"phones": [phone], "country": country}).phones == (e164,)


def test_emails_are_lower_cased() -> None:
    profile = build_profile({"emails": ["Jordan.Testwell@EXAMPLE.com", " a.b@Example.Org "]})
    assert profile.emails == ("jordan.testwell@example.com", "a.b@example.org")


def test_duplicates_are_removed_after_normalising() -> None:
    profile = build_profile(
        {
            "name": "Jordan  Testwell",
            "names": ["Jordan Testwell", " Jordan Testwell "],
            "handles": ["jtestwell", "@jtestwell"],
            "emails": ["jordan.testwell@example.com", "JORDAN.TESTWELL@example.com"],
            "phones": ["(217) 555-0142", "+12175550142", "217-555-0142"],
            "locations": ["Springfield, IL", "Springfield,IL", " Springfield ,  IL"],
        }
    )
    assert profile.names == ("Jordan Testwell",)
    assert profile.handles == ("jtestwell",)
    assert profile.emails == ("jordan.testwell@example.com",)
    assert profile.phones == ("+12175550142",)
    assert profile.locations == (Location("Springfield", "IL"),)


def test_blank_entries_are_dropped() -> None:
    profile = build_profile({"emails": ["", "  ", "a@example.com"], "aliases": [" "]})
    assert (profile.emails, profile.aliases) == (("a@example.com",), ())


def test_country_defaults_to_us() -> None:
    assert build_profile({"phones": ["(217) 555-0142"]}).country == "US"


@pytest.mark.parametrize("only", ["names", "handles", "emails", "phones"])
def test_any_one_searchable_field_is_enough(only: str) -> None:
    value = {"names": "Jordan Testwell", "handles": "jtestwell",
             "emails": "j@example.com", "phones": "(217) 555-0142"}[only]  # fmt: skip
    profile = build_profile({only: value})
    assert getattr(profile, only) != ()


def test_exactly_max_items_is_fine() -> None:
    handles = [f"user{n}" for n in range(MAX_ITEMS)]
    assert len(build_profile({"handles": handles}).handles) == MAX_ITEMS


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfemails = ['a@example.com']\n")
    assert load_profile(path).emails == ("a@example.com",)


def test_non_ascii_names_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, 'names = ["Zoë Exampleton", "Søren Prøve"]\n')
    assert load_profile(path).names == ("Zoë Exampleton", "Søren Prøve")


def test_read_profile_file_returns_the_raw_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, 'names = ["A B"]\n[context]\nnotes = "x"\n')
    assert read_profile_file(path) == {"names": ["A B"], "context": {"notes": "x"}}


# --- merge_flags ---------------------------------------------------------------------------


def test_merge_flags_appends_list_flags_to_file_values() -> None:
    data = {"names": ["Jordan Testwell"], "emails": "jordan.testwell@example.com"}
    merged = merge_flags(
        data,
        {"names": [], "emails": ["j@example.net"], "handles": ["jtestwell"], "phones": []},
    )
    assert merged == {
        "names": ["Jordan Testwell"],
        "emails": ["jordan.testwell@example.com", "j@example.net"],
        "handles": ["jtestwell"],
    }
    assert data == {"names": ["Jordan Testwell"], "emails": "jordan.testwell@example.com"}


def test_merge_flags_country_overrides_the_file() -> None:
    merged = merge_flags({"country": "US", "phones": ["020 7946 0958"]}, {"country": ["GB"]})
    assert merged["country"] == "GB"
    assert build_profile(merged).phones == ("+442079460958",)


def test_merge_flags_without_flags_keeps_the_file() -> None:
    data = {"country": "GB", "names": ["Sam"]}
    assert merge_flags(data, {"country": [], "names": []}) == data


def test_merge_flags_treats_a_bare_string_as_one_value() -> None:
    merged = merge_flags(
        {"emails": ["a@example.com"]}, {"emails": "b@example.com", "country": "GB"}
    )
    assert merged == {"emails": ["a@example.com", "b@example.com"], "country": "GB"}


def test_merge_flags_then_build_dedupes_across_file_and_flags() -> None:
    merged = merge_flags({"emails": ["A@example.com"]}, {"emails": ["a@EXAMPLE.com"]})
    assert build_profile(merged).emails == ("a@example.com",)


def test_merge_flags_on_an_empty_file() -> None:
    merged = merge_flags({}, {"names": ["Jordan Testwell"], "country": ["US"]})
    assert build_profile(merged, origin="command line").names == ("Jordan Testwell",)


# --- bad files --------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert file_problem(path) == f"profile not found: {path}"


def test_directory(tmp_path: Path) -> None:
    assert file_problem(tmp_path) == f"profile is a directory, not a file: {tmp_path}"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('names = ["Zoë"]\n'.encode("latin-1"))
    assert file_problem(path) == f"{path}: not UTF-8 text"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('names = ["Jordan"]\nemails = ["a@example.com"\nphones = []\n', "line 3"),
        ('names = ["Jordan"]\nemails == "a@example.com"\n', "line 2, column 9"),
        ('names = "Jordan\n', "line 1"),
        ('names = ["A"]\nnames = ["B"]\nhandles = ["x"]\n', "line 2"),
        # errors on the last line are "at end of document": the line is named too
        ('names = ["A"]\nemails = [\n', "at end of document, line 2"),
        ('names = ["A"]\nnotes = """never closed', "at end of document, line 2"),
        ('names = ["A"]\r\nnames = ["B"]\r\n', "line 2"),
    ],
)
def test_toml_syntax_error_names_the_line(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    message = file_problem(path)
    assert message.startswith(f"{path}: TOML syntax error: ")
    assert where in message


def test_toml_error_message_is_one_line_even_if_tomllib_wraps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    def loads(text: str) -> dict[str, Any]:
        raise tomllib.TOMLDecodeError("Invalid value\n  here (at line 4, column 2)")

    monkeypatch.setattr(tomllib, "loads", loads)
    message = file_problem(write(tmp_path, "x = 1\n"))
    assert message.endswith("TOML syntax error: Invalid value here (at line 4, column 2)")


# --- bad values ----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one() -> None:
    assert problem({"emial": ["a@example.com"]}) == (
        "me.toml: unknown key 'emial' (did you mean 'emails'?)"
    )
    assert problem({"handle": "x"}) == "me.toml: unknown key 'handle' (did you mean 'handles'?)"


def test_unknown_key_without_a_close_match() -> None:
    assert problem({"names": "A B", "favourite_colour": "green"}) == (
        "me.toml: unknown key 'favourite_colour'"
    )


def test_unknown_key_in_context() -> None:
    assert problem({"names": "A B", "context": {"known_to_abuse": []}}) == (
        "me.toml [context]: unknown key 'known_to_abuse' (did you mean 'known_to_abuser'?)"
    )


def test_context_must_be_a_table() -> None:
    assert problem({"names": "A B", "context": "secret"}) == "me.toml: 'context' must be a table"


def test_context_notes_must_be_a_string() -> None:
    assert problem({"names": "A B", "context": {"notes": ["x"]}}) == (
        "me.toml: context 'notes' must be a string"
    )


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("jordan.testwell.example.com", "@-sign"),
        ("jordan@", "after the @-sign"),
        ("a b@example.com", "invalid characters"),
        ("x@localhost", "after the @-sign"),
    ],
)
def test_invalid_email(email: str, reason: str) -> None:
    message = problem({"emails": ["ok@example.com", email]})
    assert message.startswith(f"me.toml: invalid email {email!r}: ")
    assert reason in message


@pytest.mark.parametrize(
    ("phone", "country", "expected"),
    [
        ("555-014", "US", "me.toml: invalid phone number '555-014' for region US"),
        ("+1 555 555 5555", "US", "me.toml: invalid phone number '+1 555 555 5555' for region US"),
        ("call me", "US", "me.toml: invalid phone number 'call me'"),
        ("1", "US", "me.toml: invalid phone number '1'"),
    ],
)
def test_invalid_phone(phone: str, country: str, expected: str) -> None:
    assert problem({"phones": [phone], "country": country}) == expected


@pytest.mark.parametrize("handle", ["john doe", "-leading", "a/b", "x" * 65, "@", "ünï"])
def test_bad_handle(handle: str) -> None:
    assert problem({"handles": [handle]}).startswith(f"me.toml: invalid handle {handle!r} ")


@pytest.mark.parametrize("location", [", IL", "Springfield,", "A, B, C, D", "Springfield,,IL"])
def test_bad_location(location: str) -> None:
    assert problem({"names": "A B", "locations": [location]}) == (
        f"me.toml: location {location!r} should look like 'City, ST'"
    )


@pytest.mark.parametrize("country", ["UK", "USA", "", "zz", 1])
def test_unknown_country(country: Any) -> None:
    message = problem({"names": "A B", "country": country})
    assert message == (f"me.toml: unknown country {country!r} (use a 2-letter code like 'US')")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"country": "US"},
        {"aliases": ["JT"], "locations": ["Springfield, IL"]},
        {"names": ["", "  "], "emails": []},
        {"context": {"notes": "only notes"}},
    ],
)
def test_empty_profile(data: dict[str, Any]) -> None:
    assert problem(data) == ("me.toml: empty profile: give at least a name, handle, email or phone")


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing here\n")
    assert (
        file_problem(path) == f"{path}: empty profile: give at least a name, handle, email or phone"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("names", 42),
        ("name", ["A", 3]),
        ("emails", {"home": "a@example.com"}),
        ("handles", [["nested"]]),
        ("phones", 2175550142),
        ("aliases", True),
        ("locations", [{"city": "Springfield"}]),
    ],
)
def test_wrong_types(key: str, value: Any) -> None:
    assert problem({"names": "A B", key: value} if key != "names" else {key: value}) == (
        f"me.toml: {key!r} must be a string or a list of strings"
    )


def test_wrong_type_in_context_list() -> None:
    assert problem({"names": "A B", "context": {"known_to_abuser": [1]}}) == (
        "me.toml: 'known_to_abuser' must be a string or a list of strings"
    )


def test_too_many_entries() -> None:
    emails = [f"user{n}@example.com" for n in range(MAX_ITEMS + 1)]
    assert problem({"emails": emails}) == f"me.toml: 'emails' has more than {MAX_ITEMS} entries"


def test_control_characters_in_a_name() -> None:
    assert problem({"names": ["Jordan\nTestwell"]}) == (
        "me.toml: 'names' value 'Jordan\\nTestwell' contains a control character U+000A"
    )


@pytest.mark.parametrize("char", ["\x1b", "\x7f", "\x9b", "\u2028", "\u200f", "\u202e", "\ufeff"])
def test_hidden_controls_in_any_value(char: str) -> None:
    message = problem({"names": "A B", "context": {"past_addresses": [f"1 Elm St{char}"]}})
    assert "'past_addresses' value '1 Elm St" in message
    assert message.endswith(f"contains a control character U+{ord(char):04X}")


def test_a_long_refused_value_is_cut_in_the_message() -> None:
    message = problem({"names": ["x" * 5000 + "\x07"]})
    assert len(message) < 200
    assert message.endswith("U+0007")


def test_notes_may_run_over_lines_but_hide_nothing() -> None:
    profile = build_profile({"names": "A B", "context": {"notes": "one\n\ttwo\r\n"}})
    assert profile.context.notes == "one\n\ttwo"
    message = problem({"names": "A B", "context": {"notes": "x\u202ey"}})
    assert message.endswith("'notes' value 'x\\u202ey' contains a control character U+202E")


def test_a_profile_that_is_not_a_regular_file_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "me.toml"
    os.mkfifo(fifo)
    assert file_problem(fifo) == f"profile is a FIFO (named pipe), not a file: {fifo}"
    assert file_problem(tmp_path) == f"profile is a directory, not a file: {tmp_path}"


def test_a_huge_or_deeply_nested_profile_is_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(MAX_PROFILE_BYTES + 1)  # sparse: no disk, no memory
    assert file_problem(big) == f"profile {big} is larger than {MAX_PROFILE_BYTES} bytes"
    deep = write(tmp_path, "a = " + "[" * 5000 + "]" * 5000)
    assert file_problem(deep) == f"{deep}: TOML nested too deeply"


def test_leads_with_hidden_controls_are_dropped() -> None:
    assert lead_value("handles", "jt\u202egardens") is None
    assert lead_value("handles", "jt_gardens") == "jt_gardens"


def test_overlong_name() -> None:
    assert problem({"names": ["x" * 201]}) == "me.toml: name longer than 200 characters"


def test_origin_defaults_to_profile() -> None:
    with pytest.raises(InputError, match=r"^profile: empty profile"):
        build_profile({})


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'emails = ["nope"]\n')
    assert file_problem(path).startswith(f"{path}: invalid email 'nope': ")


# --- the sample profiles ---------------------------------------------------------------------


def test_jordan_sample_matches_the_demo_world() -> None:
    profile = load_profile(SAMPLES / "jordan_testwell.toml")
    assert profile.names == ("Jordan Testwell",)
    assert profile.handles == ("jtestwell",)
    assert profile.emails == ("jordan.testwell@example.com",)
    assert profile.phones == ("+12175550142",)
    assert profile.locations == (Location("Springfield", "IL"),)
    assert profile.country == "US"
    assert "jordan.testwell@example.com" in profile.context.known_to_abuser
    assert profile.context.public_on_purpose == ("jordantestwell.example.com",)
    assert profile.context.notes


def test_jordan_sample_documents_every_field() -> None:
    text = (SAMPLES / "jordan_testwell.toml").read_text(encoding="utf-8")
    for key in ("names", "aliases", "handles", "emails", "phones", "locations", "country",
                "known_to_abuser", "public_on_purpose", "notes"):  # fmt: skip
        assert f"# {key}:" in text, key


def test_sam_sample() -> None:
    profile = load_profile(SAMPLES / "sam_placeholder.toml")
    assert profile.country == "GB"
    assert len(profile.handles) == 2
    assert len(profile.emails) == 2
    assert len(profile.aliases) >= 1
    assert all(p.startswith("+4420794609") for p in profile.phones)
    assert all(e.endswith((".example.org", "@example.org", ".example.net")) for e in profile.emails)


def test_minimal_sample() -> None:
    profile = load_profile(SAMPLES / "minimal_email_only.toml")
    assert profile == Profile(emails=("alex.minimal@example.com",))


VALID = sorted(SAMPLES.glob("*.toml"))
INVALID = sorted((SAMPLES / "invalid").glob("*.toml"))


def test_the_sample_sets_are_complete() -> None:
    assert [p.name for p in VALID] == [
        "jordan_testwell.toml", "minimal_email_only.toml", "sam_placeholder.toml",
    ]  # fmt: skip
    assert [p.name for p in INVALID] == [
        "bad_email.toml", "bad_phone.toml", "empty.toml", "syntax_error.toml", "unknown_key.toml",
    ]  # fmt: skip


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_sample_loads(path: Path) -> None:
    profile = load_profile(path)
    assert profile.names or profile.handles or profile.emails or profile.phones
    for email in profile.emails:  # fictional: reserved example domains only
        assert email.rsplit("@", 1)[1].split(".")[-2] == "example", email


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("syntax_error.toml", "TOML syntax error: Illegal character '\\n' (at line 3, column 40)"),
        ("unknown_key.toml", "unknown key 'email' (did you mean 'emails'?)"),
        ("bad_email.toml", "invalid email 'jordan.testwell.example.com': "),
        ("empty.toml", "empty profile: give at least a name, handle, email or phone"),
        ("bad_phone.toml", "invalid phone number '555-014' for region US"),
    ],
)
def test_every_invalid_sample_is_refused(name: str, expected: str) -> None:
    path = SAMPLES / "invalid" / name
    message = file_problem(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_handles_differing_only_in_case_are_one_handle() -> None:
    profile = build_profile({"handles": ["JTestwell", "jtestwell", "@jtestWELL"]})
    assert profile.handles == ("JTestwell",)


# --- domains, fediverse handles and leads -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Example.com", "example.com"),
        ("https://www.testwell.example/blog/", "testwell.example"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("sub.domain.example.org.", "sub.domain.example.org"),
    ],
)
def test_domains_are_host_names(given: str, stored: str) -> None:
    assert build_profile({"name": "A B", "domains": [given]}).domains == (stored,)


@pytest.mark.parametrize("bad", ["localhost", "127.0.0.1", "exa mple.com", "-bad-.example", "a.b"])
def test_invalid_domains_are_refused_with_one_line(bad: str) -> None:
    with pytest.raises(InputError, match="invalid domain"):
        build_profile({"name": "A B", "domains": [bad]})


def test_fediverse_handles_keep_their_instance_in_lower_case() -> None:
    profile = build_profile({"handles": ["@Jordan@Social.Example", "plain"]})
    assert profile.handles == ("Jordan@social.example", "plain")


def test_a_broken_fediverse_handle_is_refused() -> None:
    with pytest.raises(InputError, match="invalid fediverse handle"):
        build_profile({"handles": ["jordan@not a host"]})


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("emails", "Jordan@Personal.Example", "jordan@personal.example"),
        ("emails", "not an email", None),
        ("handles", "@jtestwell", "jtestwell"),
        ("handles", "../etc/passwd", None),
        ("domains", "https://testwell.example/", "testwell.example"),
        ("domains", "10.0.0.1", None),
        ("phones", "+12175550142", None),  # not a field leads may feed
        ("emails", "x" * 250 + "@example.com", None),
    ],
)
def test_lead_values_are_validated_like_the_profile(
    field: str, value: str, expected: str | None
) -> None:
    assert lead_value(field, value) == expected


def test_context_knows_homes_moved_out_of_and_when() -> None:
    profile = build_profile(
        {"name": "A B", "context": {"past_addresses": ["1 Old Way"], "moved_on": "2023-05-01"}}
    )
    assert profile.context.past_addresses == ("1 Old Way",)
    assert profile.context.moved_on == "2023-05-01"
    with pytest.raises(InputError, match="moved_on"):
        build_profile({"name": "A B", "context": {"moved_on": "last spring"}})


def test_affiliations_and_birth_year(tmp_path: Path) -> None:
    profile = build_profile(
        {"name": "Jordan Testwell", "affiliations": ["Prairie  Lantern Books"], "birth_year": 1988}
    )
    assert profile.affiliations == ("Prairie Lantern Books",)
    assert profile.birth_year == 1988
    assert build_profile({"name": "J T", "birth_year": "1988"}).birth_year == 1988
    assert build_profile({"name": "J T"}).birth_year is None


@pytest.mark.parametrize("year", [1899, 3000, "soon", 19.5, True, [1988]])
def test_bad_birth_year_is_one_line(year: object) -> None:
    with pytest.raises(InputError, match="'birth_year'"):
        build_profile({"name": "Jordan Testwell", "birth_year": year})
