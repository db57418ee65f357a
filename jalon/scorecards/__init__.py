"""The contract's scorecards in the platform: periods scored from the database by the convention
engine, manual measures, the validation workflow and the frozen, verifiable archive."""
