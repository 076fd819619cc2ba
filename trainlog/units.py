"""Units of length, defined once: what km, miles and feet are in metres (the stored unit)."""

M_PER_KM = 1000.0
M_PER_MI = 1609.344  # international mile
M_PER_FT = 0.3048  # international foot
