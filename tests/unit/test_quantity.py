"""resource.Quantity parsing as exact fractions.

Upstream: k8s.io/apimachinery pkg/api/resource/quantity.go (ParseQuantity, parseQuantityString,
UnmarshalJSON) and suffix.go (the suffix table); the valid and invalid inputs below are taken
from the cases in quantity_test.go.
"""

from fractions import Fraction

import pytest

from topo.model.errors import ManifestError
from topo.model.quantity import format_bytes, format_decimal, parse_quantity, round_up_to_milli


def q(text):
    return parse_quantity(text, "spec.resources")


# --- suffixes: pkg/api/resource/suffix.go ---


def test_binary_gibibyte():
    # suffix.go: Gi is 2^30
    assert q("1Gi") == 1073741824


def test_decimal_gigabyte():
    # suffix.go: G is 10^9
    assert q("1G") == 10**9


def test_milli_is_a_thousandth():
    # suffix.go: m is 10^-3, so 500m CPU is half a core
    assert q("500m") == Fraction(1, 2)


@pytest.mark.parametrize(
    "text, value",
    [
        ("1n", Fraction(1, 10**9)),
        ("1u", Fraction(1, 10**6)),
        ("1k", 1000),
        ("1M", 10**6),
        ("1T", 10**12),
        ("1P", 10**15),
        ("1E", 10**18),
        ("1Ki", 1024),
        ("1Mi", 2**20),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("7", 7),
    ],
)
def test_every_suffix(text, value):
    # suffix.go newSuffixer: the decimal and binary tables
    assert q(text) == value


def test_decimal_exponent():
    # suffix.go interpret: "e"/"E" followed by a signed integer is a power of ten
    assert q("1e3") == 1000
    assert q("1E3") == 1000
    assert q("1e-3") == Fraction(1, 1000)
    assert q("1E+2") == 100


def test_capital_e_alone_is_exa_not_an_exponent():
    # suffix.go: "E" is in the decimal table (10^18); only "E<digits>" is an exponent
    assert q("2E") == 2 * 10**18


# --- numbers: quantity.go parseQuantityString ---


def test_fractional_binary_quantity_is_exact():
    # quantity.go: 1.5Gi is 1610612736 bytes (canonical "1536Mi"), no float rounding
    assert q("1.5Gi") == 1610612736
    assert q("0.5Gi") == 2**29


def test_fraction_with_exponent():
    # quantity.go: <signedNumber><decimalExponent>
    assert q("1.5e2") == 150


@pytest.mark.parametrize(
    "text, value",
    [
        (".5", Fraction(1, 2)),
        ("1.", 1),
        ("1.G", 10**9),
        (".001", Fraction(1, 1000)),
        (".0001k", Fraction(1, 10)),
    ],
)
def test_leading_or_trailing_dot_is_allowed(text, value):
    # quantity.go grammar: <digits>. and .<digits> are numbers; quantity_test.go "things written by trolls"
    assert q(text) == value


def test_signs():
    # quantity.go: <sign> ::= "+" | "-"
    assert q("-1Gi") == -(2**30)
    assert q("+500m") == Fraction(1, 2)


def test_values_below_one_nano_round_away_from_zero():
    # quantity.go ParseQuantity: amount.Round(amount, Nano, inf.RoundUp) — 0.1n becomes 1n
    assert q("0.1n") == Fraction(1, 10**9)
    assert q("1e-12") == Fraction(1, 10**9)
    assert q("-0.1n") == -Fraction(1, 10**9)
    assert q("0.000000000001Ki") == Fraction(2, 10**9)  # 1.024n rounds up to 2n


def test_binary_quantities_are_capped_at_max_int64():
    # quantity.go ParseQuantity: BinarySI amounts above maxAllowed (2^63-1) are capped
    assert q("8Ei") == 2**63 - 1
    assert q("-8Ei") == -(2**63 - 1)
    assert q("10E") == 10 * 10**18  # decimal values are not capped


def test_surrounding_whitespace_is_trimmed_like_unmarshal_json():
    # quantity.go UnmarshalJSON: ParseQuantity(strings.TrimSpace(...))
    assert q(" 1Gi ") == 2**30


def test_yaml_numbers_are_read_from_their_decimal_text():
    # quantity.go UnmarshalJSON: an unquoted JSON number is parsed as text; 0.1 is exactly 1/10
    assert q(2) == 2
    assert q(0.5) == Fraction(1, 2)
    assert q(0.1) == Fraction(1, 10)
    assert q(1e21) == 10**21


def test_upstream_scanner_reads_an_empty_number_as_zero():
    # quantity.go parseQuantityString: with no digits the numerator is "0", so a lone sign, a lone
    # dot or a bare suffix parse as zero upstream (the API server stores them as 0)
    assert q("+") == 0
    assert q(".") == 0
    assert q("Ki") == 0


@pytest.mark.parametrize(
    "text",
    [
        "1GB",
        "abc",
        "",
        "1gi",
        "1 Gi",
        "1KiB",
        "1K",
        "1e",
        "1e+",
        "1e3k",
        "1..5",
        "1.1.M",
        "1+1.0M",
        "0.1mi",
        "0.1am",
        "aoeu",
        ".5i",
        "1i",
        "-3.01i",
        "-3.01e-",
        "0x10",
        "1_000",
        "１",
        "Inf",
        "NaN",
        "1,5",
    ],
)
def test_junk_is_refused(text):
    # quantity.go / quantity_test.go: the invalid table ("1.1.M", "0.1mi", ".5i", ...) plus
    # wrong-case and unknown suffixes (suffix.go matching is case-sensitive)
    with pytest.raises(ManifestError) as error:
        q(text)
    assert error.value.path == "spec.resources"


@pytest.mark.parametrize("value", [True, None, [1], {"a": 1}, float("nan"), float("inf")])
def test_non_quantity_types_are_refused(value):
    # quantity.go UnmarshalJSON: only strings and numbers reach ParseQuantity
    with pytest.raises(ManifestError):
        parse_quantity(value, "spec.resources.requests.cpu")


def test_huge_exponent_is_refused_instead_of_hanging():
    # topo's own guard: upstream would hold 10^999999999 as an inf.Dec; topo refuses to build it
    with pytest.raises(ManifestError):
        q("1e999999999")
    assert q("1e-999999999") == Fraction(1, 10**9)  # tiny values still round up to 1n


def test_resource_defaulting_rounds_up_to_milli():
    # k8s.io/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ResourceList: val.RoundUp(-3)
    assert round_up_to_milli(q("0.1m")) == Fraction(1, 1000)
    assert round_up_to_milli(q("1500u")) == Fraction(2, 1000)
    assert round_up_to_milli(q("250m")) == Fraction(1, 4)
    assert round_up_to_milli(q("-0.1m")) == -Fraction(1, 1000)


# --- formatting for messages (Quantity.String canonical forms) ---


@pytest.mark.parametrize(
    "value, text",
    [
        (2**30, "1Gi"),
        (10 * 2**30, "10Gi"),
        (1536 * 2**20, "1536Mi"),
        (1024, "1Ki"),
        (500 * 2**20, "500Mi"),
        (10**9, "1G"),
        (2 * 10**9, "2G"),
        (1000, "1k"),
        (1500, "1500"),
        (Fraction(1, 2), "500m"),
        (0, "0"),
        (-(2**30), "-1Gi"),
    ],
)
def test_format_bytes(value, text):
    # quantity.go CanonicalizeBytes: "1.5Gi will be serialized as 1536Mi", "1.5 as 1500m"
    assert format_bytes(Fraction(value)) == text


def test_format_decimal_uses_the_largest_whole_suffix():
    # quantity.go CanonicalizeBytes (DecimalSI): no fractional digits, exponent as large as possible
    assert format_decimal(Fraction(3, 2)) == "1500m"
    assert format_decimal(Fraction(2)) == "2"
    assert format_decimal(Fraction(1, 10**9)) == "1n"
    assert format_decimal(Fraction(4000)) == "4k"


@pytest.mark.parametrize("text", ["1Gi", "1536Mi", "2G", "500m", "1k", "3Ki", "1n", "7"])
def test_format_then_parse_round_trips(text):
    # quantity.go: canonical output parses back to the same amount
    value = q(text)
    assert q(format_bytes(value)) == value
    assert q(format_decimal(value)) == value
