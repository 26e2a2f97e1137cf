"""Age bands: how a person is described where a name is not needed (the staff queue, a
referrer's list of drafts)."""

from datetime import date

BANDS = [(0, 4, "0 to 4"), (5, 10, "5 to 10"), (11, 15, "11 to 15"), (16, 17, "16 to 17"),
         (18, 25, "18 to 25"), (26, 64, "26 to 64"), (65, 74, "65 to 74"),
         (75, 84, "75 to 84"), (85, 200, "85 and over")]


def age_band(*, dob: date | None, approx: int | None, today: date) -> str:
    """The person's age band, or "Not known"."""
    if dob is not None:
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    elif approx is not None:
        age = approx
    else:
        return "Not known"
    for low, high, label in BANDS:
        if low <= age <= high:
            return label
    return "Not known"
