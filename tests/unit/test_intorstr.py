"""IntOrString parsing and percent scaling.

Upstream: k8s.io/apimachinery pkg/util/intstr/intstr.go (GetScaledValueFromIntOrPercent,
getIntOrPercentValueSafely); its callers decide the rounding direction, e.g.
k8s.io/kubernetes pkg/controller/deployment/util/deployment_util.go ResolveFenceposts (maxSurge
rounds up, maxUnavailable rounds down) and pkg/controller/disruption (minAvailable rounds up).
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from topo.model.errors import ManifestError
from topo.model.intorstr import is_percent, parse_int_or_percent, scaled_value

# --- scaled_value: k8s.io/apimachinery pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent ---


def test_quarter_of_four_is_one_either_way():
    # intstr.go: 25% of 4 is exactly 1, so ceil and floor agree
    assert scaled_value("25%", 4, round_up=True) == 1
    assert scaled_value("25%", 4, round_up=False) == 1


def test_quarter_of_three_rounds_up_to_one_and_down_to_zero():
    # intstr.go: math.Ceil / math.Floor of 0.75 — the default maxSurge/maxUnavailable of 3 replicas
    assert scaled_value("25%", 3, round_up=True) == 1
    assert scaled_value("25%", 3, round_up=False) == 0


def test_ten_percent_of_ten_is_one():
    # intstr.go: 10% of 10 is exactly 1 (a float-free computation has no 0.99999 risk)
    assert scaled_value("10%", 10, round_up=True) == 1
    assert scaled_value("10%", 10, round_up=False) == 1


def test_zero_percent_is_zero():
    # intstr.go: "0%" is a valid percentage
    assert scaled_value("0%", 7, round_up=True) == 0
    assert scaled_value("0%", 7, round_up=False) == 0


def test_percent_over_hundred_is_not_capped():
    # intstr.go: 150% of 4 is 6; capping is the caller's business (validation), not intstr's
    assert scaled_value("150%", 4, round_up=True) == 6
    assert scaled_value("150%", 3, round_up=False) == 4


def test_int_is_returned_unscaled():
    # intstr.go: an Int IntOrString is "treated as a simple value", whatever the total
    assert scaled_value(2, 10, round_up=True) == 2
    assert scaled_value(20, 3, round_up=False) == 20


def test_string_without_percent_sign_is_invalid():
    # intstr.go getIntOrPercentValueSafely: "invalid type: string is not a percentage"
    with pytest.raises(ManifestError) as error:
        scaled_value("2", 10, round_up=True, path="spec.strategy.rollingUpdate.maxSurge")
    assert error.value.path == "spec.strategy.rollingUpdate.maxSurge"
    assert "invalid value for IntOrString: invalid type: string is not a percentage" in str(error.value)


@pytest.mark.parametrize("text", ["%", "abc%", "1.5%", "10%%", " 10%", "1_0%", "١٠%", "0x10%"])
def test_percent_must_be_an_integer(text):
    # intstr.go: the part before '%' goes through strconv.Atoi (sign and ASCII digits only)
    with pytest.raises(ManifestError, match="invalid value for IntOrString"):
        scaled_value(text, 10, round_up=True)


def test_percent_accepts_a_sign_like_atoi():
    # intstr.go: strconv.Atoi("+50") is 50 and Atoi("-10") is -10
    assert scaled_value("+50%", 4, round_up=True) == 2
    assert scaled_value("-10%", 15, round_up=True) == -1  # math.Ceil(-1.5)
    assert scaled_value("-10%", 15, round_up=False) == -2  # math.Floor(-1.5)


def test_boolean_is_neither_int_nor_percentage():
    # intstr.go: only the Int and String types exist; a YAML boolean is neither
    with pytest.raises(ManifestError):
        scaled_value(True, 10, round_up=True)


@given(percent=st.integers(min_value=0, max_value=1000), total=st.integers(min_value=0, max_value=100_000))
def test_exact_rounding_agrees_with_upstream_float_formula(percent, total):
    # intstr.go computes math.Ceil(float64(value) * float64(total) / 100); for realistic sizes the
    # exact integer result is the same
    text = f"{percent}%"
    assert scaled_value(text, total, round_up=True) == math.ceil(float(percent) * float(total) / 100)
    assert scaled_value(text, total, round_up=False) == math.floor(float(percent) * float(total) / 100)


# --- parse_int_or_percent: IntOrString.UnmarshalJSON (int32 or string) ---


def test_parse_keeps_ints_and_strings_as_given():
    # intstr.go UnmarshalJSON: a JSON string stays a string, a number becomes IntVal
    assert parse_int_or_percent(3, "p") == 3
    assert parse_int_or_percent("25%", "p") == "25%"
    assert parse_int_or_percent("http", "p") == "http"  # a named targetPort is a string too


def test_parse_refuses_yaml_booleans():
    # intstr.go UnmarshalJSON: `true` is not an int32; Python's True == 1 must not slip through
    with pytest.raises(ManifestError) as error:
        parse_int_or_percent(True, "spec.maxUnavailable")
    assert error.value.path == "spec.maxUnavailable"


def test_parse_refuses_fractional_numbers_and_accepts_whole_floats():
    # intstr.go: IntVal is int32; kubectl's YAML-to-JSON writes the float 1.0 as 1, but 1.5 stays 1.5
    assert parse_int_or_percent(1.0, "p") == 1
    with pytest.raises(ManifestError):
        parse_int_or_percent(1.5, "p")


def test_parse_refuses_values_outside_int32():
    # intstr.go: IntVal int32
    with pytest.raises(ManifestError):
        parse_int_or_percent(2**31, "p")
    assert parse_int_or_percent(2**31 - 1, "p") == 2**31 - 1


@pytest.mark.parametrize("value", [None, [1], {"a": 1}])
def test_parse_refuses_other_types(value):
    # intstr.go: only Int and String
    with pytest.raises(ManifestError):
        parse_int_or_percent(value, "p")


def test_is_percent_means_a_string_ending_in_percent():
    # intstr.go getIntOrPercentValueSafely: strings.HasSuffix(s, "%")
    assert is_percent("25%")
    assert not is_percent("25")
    assert not is_percent(25)
