"""Splink's side of bench/peers.py, run in the peers' own interpreter (splink is no Kithkin dependency).

    python3 -m venv /work/peers-venv && /work/peers-venv/bin/pip install splink recordlinkage
    /work/peers-venv/bin/python bench/peers_splink.py fake_1000 records.csv clusters.csv

Reads the records bench/peers.py wrote (unique_id and the data set's own columns), dedupes them with
Splink 5 on DuckDB using the model of Splink's own tutorial for that data set, and writes
unique_id,cluster_id.
"""

from __future__ import annotations

import sys

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def fake_1000(records: pd.DataFrame) -> tuple[SettingsCreator, list, list]:
    """Splink's Quickstart model for fake_1000."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.JaroAtThresholds("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname")],
    )
    deterministic = [block_on("first_name", "surname", "dob"), block_on("email")]
    training = [block_on("first_name", "surname"), block_on("dob")]
    return settings, deterministic, training


def febrl3(records: pd.DataFrame) -> tuple[SettingsCreator, list, list]:
    """Splink's FEBRL3 example model, on the fields a contact card carries (no soc_sec_id: no card has one)."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("address_1", [1, 2]),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("street_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("surname", "suburb"),
        ],
    )
    deterministic = [block_on("given_name", "surname", "date_of_birth"), block_on("postcode", "street_number")]
    training = [block_on("date_of_birth"), block_on("given_name", "surname"), block_on("postcode")]
    return settings, deterministic, training


MODELS = {"fake_1000": fake_1000, "febrl3": febrl3}


def main() -> None:
    name, source, target = sys.argv[1:4]
    records = pd.read_csv(source, dtype=str).replace({"": None})
    settings, deterministic, training = MODELS[name](records)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(records), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairwise = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairwise, 0.95).as_pandas_dataframe()
    clusters[["unique_id", "cluster_id"]].to_csv(target, index=False)


if __name__ == "__main__":
    main()
