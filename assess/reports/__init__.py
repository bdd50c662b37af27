"""Operations on saved reports: compare two (diff), merge many into a fleet view, read their figures."""
