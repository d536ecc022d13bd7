//! In-memory datasets, a CSV loader and the shipped digits data set.
